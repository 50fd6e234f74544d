"""Password rules of our own, on top of Django's validators (settings.AUTH_PASSWORD_VALIDATORS).

A password that is, or contains, the demo clinic's password or the app's own name is the
first one an attacker tries against a Myomap: it is refused whatever its length. The
check ignores case, spaces and punctuation, so "My-Omap 2026!" is refused too.

>>> HouseRulesValidator().validate("correct-horse-battery-staple")
>>> try:
...     HouseRulesValidator().validate("DEMO-1234-rocks")
... except ValidationError as refused:
...     print(refused.messages[0])
This password contains "demo1234", the demo clinic's password: choose another.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError

# what a password may not contain -> why, in the refusal
REFUSED: dict[str, str] = {
    "demo1234": "the demo clinic's password",
    "myomap": "the app's own name",
}


def _letters_and_digits(password: str) -> str:
    return re.sub(r"[\W_]+", "", password.casefold())


class HouseRulesValidator:
    """Refuses a password containing the demo password or the app's name."""

    def validate(self, password: str, user: Any = None) -> None:
        plain = _letters_and_digits(password)
        for word, what in REFUSED.items():
            if word in plain:
                raise ValidationError(
                    f'This password contains "{word}", {what}: choose another.',
                    code="password_house_rule",
                )

    def get_help_text(self) -> str:
        return 'Your password can\'t contain "demo1234" or "myomap".'
