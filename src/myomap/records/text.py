"""Text typed by a person, checked the same at every edge (API bodies and queries, forms).

A NUL cannot be stored by PostgreSQL and other control characters are never typed on
purpose (they come from a paste or a broken script), so both are refused, naming the
character and where it is. Tabs and line breaks stay allowed: free text has them.

>>> check_text("Low back pain\\n\\tafter gardening")
'Low back pain\\n\\tafter gardening'
>>> check_text("Lo\\x00pez")
Traceback (most recent call last):
ValueError: control character U+0000 at position 3: only tabs and line breaks are allowed
"""

from __future__ import annotations

import re

# C0 controls except tab, line feed and carriage return; DEL; the C1 controls; and the
# UTF-16 surrogates, which no encoding can store alone.
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# The same rule as a JSON Schema pattern (ECMA-262) for the OpenAPI description.
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"

# How much of what was typed an error message may repeat.
ECHO_LIMIT = 200


def check_text(value: str) -> str:
    """`value` unchanged, or ValueError naming the first refused character."""
    found = _REFUSED.search(value)
    if found is not None:
        raise ValueError(
            f"control character U+{ord(found.group()):04X} at position {found.start()}: "
            "only tabs and line breaks are allowed"
        )
    return value


def shorten(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text`, cut to `limit` characters with an ellipsis: an error never echoes a whole
    100 KB input back."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
