"""Drug classes: the medicine names in an intake's medications text that point to a
contraindication or a red flag (kind `medications`).

Each class names its generic drugs, common brand names and plain words ("blood
thinner"); matching them against free text is `myomap.core.medications`. The class
points to exactly one contraindication (its technique rules apply) or one red flag (a
question to ask), and carries the WHO ATC code of the group it covers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from myomap.core.kb.models import Cited, Id, Ref, Text

# An ATC code at level 2 to 5: "B01", "B01A", "B01AC", "B01AC06" (WHO ATC/DDD index).
AtcCode = Annotated[
    str, StringConstraints(pattern=r"^[ABCDGHJLMNPRSV][0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?$")
]

WORD = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)?")


def words(text: str) -> tuple[str, ...]:
    """The words of a name or a text, case-folded, split at spaces, hyphens, punctuation
    and letter-digit boundaries: "Low-dose aspirin 75mg" -> low, dose, aspirin, 75, mg."""
    return tuple(m.group().casefold() for m in WORD.finditer(text))


class DrugClass(Cited):
    """A class of medicines (anticoagulants, oral corticosteroids...) and what it means
    for treatment. `plain` names it for the therapist in a sentence ("a blood-thinning
    medicine"); `generics`, `brands` and `terms` are matched as whole words."""

    name: Text
    plain: Text
    atc: tuple[AtcCode, ...] = Field(min_length=1)
    contraindication: Id | None = None
    red_flag: Id | None = None
    generics: tuple[Text, ...] = Field(min_length=1)
    brands: tuple[Text, ...] = ()
    terms: tuple[Text, ...] = ()
    note: Text | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the class is known by: generics, then brands, then plain terms."""
        return self.generics + self.brands + self.terms

    @property
    def target(self) -> tuple[str, str]:
        """("contraindication", id) or ("red-flag", id)."""
        if self.contraindication is not None:
            return ("contraindication", self.contraindication)
        assert self.red_flag is not None
        return ("red-flag", self.red_flag)

    @model_validator(mode="after")
    def _one_target_and_distinct_names(self) -> DrugClass:
        if (self.contraindication is None) == (self.red_flag is None):
            raise ValueError("give exactly one of contraindication or red_flag")
        seen: dict[tuple[str, ...], str] = {}
        for name in self.names:
            key = words(name)
            if not key:
                raise ValueError(f"the name {name!r} has no letters or digits to match")
            if key in seen:
                raise ValueError(f"the name {name!r} is listed twice (as {seen[key]!r})")
            seen[key] = name
        return self

    def references(self) -> Iterator[Ref]:
        yield from super().references()
        if self.contraindication is not None:
            yield Ref("contraindication", "contraindications", self.contraindication)
        if self.red_flag is not None:
            yield Ref("red_flag", "red_flags", self.red_flag)
