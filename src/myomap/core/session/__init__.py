"""The guided treatment session, pure: events made on the device, a state machine that
applies them one at a time (`state.apply`), the record of what was done
(`record.session_record`), the knowledge base's rule on repeated discomfort
(`suggest.suggestion`) and the note's lines (`note.session_note`). No Django; time is
passed in as aware datetimes. See docs/session.md.

This module imports nothing so that the knowledge base may use the session's vocabulary
(`events.FEEDBACK`) without a cycle."""
