"""Base models of the knowledge base: entries, sources and body-map regions.

Every model is frozen and forbids unknown fields, so a typo in a data file is an error
that names the field rather than a silently ignored key.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Lower-case words joined by single hyphens: "quadratus-lumborum", "si-joint".
Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Confidence = Literal["high", "moderate", "low"]
View = Literal["front", "back"]
Side = Literal["left", "right", "midline"]


class Ref(NamedTuple):
    """A reference from one entry to another: which field, which kind, which id."""

    field: str
    kind: str
    target: str


class Entry(BaseModel):
    """Anything with a stable id in the knowledge base."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Id

    def references(self) -> Iterator[Ref]:
        """Every id this entry refers to, for the loader to check."""
        return iter(())

    @classmethod
    def check_entries(cls, entries: Sequence[Entry]) -> Iterator[tuple[str, str, str]]:
        """Problems no single entry can see, across every entry of the kind in file order,
        as (entry id, field, message): one aftercare entry, a plan order used once."""
        return iter(())


class Cited(Entry):
    """A clinical entry: it must cite at least one source from sources.yaml."""

    sources: tuple[Id, ...] = Field(min_length=1)

    def references(self) -> Iterator[Ref]:
        for source in self.sources:
            yield Ref("sources", "sources", source)


class Source(Entry):
    """A full citation. `quality` is the weight of its evidence where that applies."""

    citation: Text
    type: Literal[
        "systematic-review",
        "guideline",
        "journal-article",
        "textbook",
        "website",
        "terminology",
        "clinical-brief",
    ]
    year: int | None = None
    url: str | None = None
    quality: Literal["high", "moderate", "low", "very-low"] | None = None
    note: str | None = None


class PerSide(BaseModel):
    """A code that differs between the client's left and right."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    left: str | int
    right: str | int


class RegionSpec(Entry):
    """A region as written in regions.yaml; `bilateral` stands for a left and a right one."""

    name: Text
    view: View
    side: Literal["bilateral", "midline"]
    area: Literal["head-neck", "trunk", "upper-limb", "lumbopelvic", "pelvis", "lower-limb"]
    aliases: tuple[Text, ...] = ()
    snomed: str | int | PerSide | None = None
    choir: int | PerSide | None = None

    def expand(self) -> tuple[Region, ...]:
        """The concrete regions this spec stands for, left before right."""
        if self.side == "midline":
            return (
                Region(
                    id=self.id,
                    base=self.id,
                    name=self.name,
                    view=self.view,
                    side="midline",
                    area=self.area,
                    aliases=self.aliases,
                    snomed=_pick(self.snomed, "left"),
                    choir=_pick_int(self.choir, "left"),
                ),
            )
        return tuple(
            Region(
                id=f"{self.id}-{side}",
                base=self.id,
                name=f"{side.capitalize()} {self.name[0].lower()}{self.name[1:]}",
                view=self.view,
                side=side,
                area=self.area,
                aliases=self.aliases,
                snomed=_pick(self.snomed, side),
                choir=_pick_int(self.choir, side),
            )
            for side in ("left", "right")
        )


def _pick(value: str | int | PerSide | None, side: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, PerSide):
        value = value.left if side == "left" else value.right
    return str(value)


def _pick_int(value: int | PerSide | None, side: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, PerSide):
        return int(value.left if side == "left" else value.right)
    return value


class Region(BaseModel):
    """One selectable region of the body map. Sides are the client's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    base: str
    name: str
    view: View
    side: Side
    area: str
    aliases: tuple[str, ...]
    snomed: str | None
    choir: int | None

    @property
    def mirror_id(self) -> str:
        """The id of the same region on the client's other side (itself on the midline)."""
        if self.side == "midline":
            return self.id
        other = "right" if self.side == "left" else "left"
        return f"{self.base}-{other}"

    def as_json(self) -> dict[str, object]:
        """The stable shape printed by `myomap regions --json`."""
        return {
            "id": self.id,
            "name": self.name,
            "view": self.view,
            "side": self.side,
            "aliases": list(self.aliases),
            "snomed": self.snomed,
            "choir": self.choir,
            "area": self.area,
        }
