"""What an import did or would do, item by item: created, matched, skipped or refused."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Item:
    outcome: str  # create, match, skip, refuse
    label: str
    why: str = ""

    def line(self) -> str:
        return f"{self.outcome:<7} {self.label}" + (f": {self.why}" if self.why else "")


@dataclass
class Report:
    dry_run: bool
    items: list[Item] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, outcome: str) -> int:
        return sum(1 for i in self.items if i.outcome == outcome)

    def lines(self) -> list[str]:
        out = [i.line() for i in self.items]
        out += [f"refuse  {p}" for p in self.problems]
        return out
