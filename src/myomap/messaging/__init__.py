"""Messages to clients: which channels each client accepts for which messages (e-mail,
text, none), the one-time link in every message that turns a kind of message off, and
each clinic's own wording of its messages (docs/jobs.md)."""
