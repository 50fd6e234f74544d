"""Erasure on request: a clinic admin erases a client (docs/erasure.md). Their records go,
the audit log keeps its events with the who, what and when but no name or clinical text,
and an erasure record says who asked and when. A signed record is kept for the clinic's
legal minimum first."""
