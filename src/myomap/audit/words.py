"""What an audit event is about, in words a clinic admin reads: the stored object type is a
class name (`StaticDevice`), the audit page says "recovery codes".

>>> in_words("TOTPDevice"), in_words("NoteVersion"), in_words("")
('authenticator app', 'note version', '')

Where an event came from (`via`), likewise:

>>> way_in("cli"), way_in("pad"), way_in("web")
('command line', "client's phone", 'web')
"""

from __future__ import annotations

import re

WORDS: dict[str, str] = {
    "User": "account",
    "StaticDevice": "recovery codes",
    "TOTPDevice": "authenticator app",
    "ApiToken": "API token",
    "Client": "client",
    "Intake": "intake",
    "Visit": "visit",
    "Note": "note",
    "NoteVersion": "note version",
    "AuditEvent": "audit log",
}


def in_words(object_type: str) -> str:
    """The words for `object_type`; a class not listed, split at its capitals."""
    if object_type in WORDS:
        return WORDS[object_type]
    return " ".join(re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", object_type)).lower()


WAYS_IN: dict[str, str] = {
    "web": "web",
    "api": "API",
    "cli": "command line",
    "system": "Myomap itself",
    "pad": "client's phone",
}


def way_in(via: str) -> str:
    """The words for an event's `via`; one not listed, as stored."""
    return WAYS_IN.get(via, via)
