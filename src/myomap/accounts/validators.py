"""Password rules of our own, on top of Django's validators (settings.AUTH_PASSWORD_VALIDATORS).

A password that contains the app's own name, or a word as easy to guess as "demo1234", is
among the first an attacker tries against a Myomap: it is refused whatever its length. The
check ignores case, spaces and punctuation, so "My-Omap 2026!" is refused too.

>>> HouseRulesValidator().validate("correct-horse-battery-staple")
>>> try:
...     HouseRulesValidator().validate("DEMO-1234-rocks")
... except ValidationError as refused:
...     print(refused.messages[0])
This password is too easy to guess (it contains "demo1234"): choose another.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError

# what a password may not contain -> the refusal
REFUSED: dict[str, str] = {
    "demo1234": 'This password is too easy to guess (it contains "demo1234"): choose another.',
    "myomap": 'This password contains "myomap", the app\'s own name: choose another.',
}


def _letters_and_digits(password: str) -> str:
    return re.sub(r"[\W_]+", "", password.casefold())


class HouseRulesValidator:
    """Refuses a password containing an easily guessed word or the app's name."""

    def validate(self, password: str, user: Any = None) -> None:
        plain = _letters_and_digits(password)
        for word, refusal in REFUSED.items():
            if word in plain:
                raise ValidationError(refusal, code="password_house_rule")

    def get_help_text(self) -> str:
        return 'Your password can\'t contain "demo1234" or "myomap".'
