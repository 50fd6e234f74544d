"""Read every YAML file under the knowledge folder, validate it, and build the knowledge base.

Each file is a mapping with a `kind` (one of `KINDS`) and a list of `entries`. Files may
be split freely (one file per muscle, say): the loader gathers entries by kind. All
problems are collected before anything is returned, so one run lists every mistake.
"""

from __future__ import annotations

import difflib
import functools
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar, cast

import yaml
from pydantic import ValidationError

from myomap.core.kb import clinical, dosing, homecare, instruments, intake, medications, session
from myomap.core.kb.errors import KnowledgeBaseError, Problem
from myomap.core.kb.models import Entry, Region, RegionSpec, Source

KINDS: Mapping[str, type[Entry]] = {
    "sources": Source,
    "regions": RegionSpec,
    "factors": clinical.Factor,
    "findings": clinical.Finding,
    "muscles": clinical.Muscle,
    "trigger_points": clinical.TriggerPoint,
    "exam_tests": clinical.ExamTest,
    "techniques": clinical.Technique,
    "exercises": clinical.Exercise,
    "conditions": clinical.Condition,
    "red_flags": clinical.RedFlag,
    "contraindications": clinical.Contraindication,
    "statements": clinical.Statement,
    "intake_questions": intake.IntakeQuestion,
    "medications": medications.DrugClass,
    "aftercare": dosing.Aftercare,
    "session_rules": session.SessionRules,
    "instruments": instruments.Instrument,
    "home_program": homecare.HomeProgramRules,
}

DEFAULT_ROOT = Path(__file__).resolve().parent.parent.parent / "knowledge"

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
E = TypeVar("E", bound=Entry)


@dataclass(frozen=True)
class KnowledgeBase:
    """The validated knowledge base. Mappings keep the order of the data files."""

    root: Path
    entries: Mapping[str, Mapping[str, Entry]]
    regions: Mapping[str, Region]
    files: Mapping[tuple[str, str], str] = field(repr=False)

    def of(self, kind: str, model: type[E]) -> Mapping[str, E]:
        """The entries of one kind, typed: `kb.of("muscles", Muscle)`."""
        assert KINDS[kind] is model, f"{kind} holds {KINDS[kind].__name__}"
        return cast(Mapping[str, E], self.entries[kind])

    @property
    def sources(self) -> Mapping[str, Source]:
        return self.of("sources", Source)

    @property
    def region_specs(self) -> Mapping[str, RegionSpec]:
        return self.of("regions", RegionSpec)

    @property
    def muscles(self) -> Mapping[str, clinical.Muscle]:
        return self.of("muscles", clinical.Muscle)

    @property
    def trigger_points(self) -> Mapping[str, clinical.TriggerPoint]:
        return self.of("trigger_points", clinical.TriggerPoint)

    @property
    def exercises(self) -> Mapping[str, clinical.Exercise]:
        return self.of("exercises", clinical.Exercise)

    @property
    def factors(self) -> Mapping[str, clinical.Factor]:
        return self.of("factors", clinical.Factor)

    @property
    def findings(self) -> Mapping[str, clinical.Finding]:
        return self.of("findings", clinical.Finding)

    @property
    def exam_tests(self) -> Mapping[str, clinical.ExamTest]:
        return self.of("exam_tests", clinical.ExamTest)

    @property
    def techniques(self) -> Mapping[str, clinical.Technique]:
        return self.of("techniques", clinical.Technique)

    @property
    def conditions(self) -> Mapping[str, clinical.Condition]:
        return self.of("conditions", clinical.Condition)

    @property
    def red_flags(self) -> Mapping[str, clinical.RedFlag]:
        return self.of("red_flags", clinical.RedFlag)

    @property
    def contraindications(self) -> Mapping[str, clinical.Contraindication]:
        return self.of("contraindications", clinical.Contraindication)

    @property
    def statements(self) -> Mapping[str, clinical.Statement]:
        return self.of("statements", clinical.Statement)

    @property
    def intake_questions(self) -> Mapping[str, intake.IntakeQuestion]:
        return self.of("intake_questions", intake.IntakeQuestion)

    @property
    def medications(self) -> Mapping[str, medications.DrugClass]:
        return self.of("medications", medications.DrugClass)

    @property
    def aftercare(self) -> dosing.Aftercare | None:
        """The aftercare timings (the one `aftercare` entry); None in a folder without it."""
        return next(iter(self.of("aftercare", dosing.Aftercare).values()), None)

    @property
    def session_rules(self) -> session.SessionRules | None:
        """The guided session's rules (the one `session_rules` entry); None without it."""
        return next(iter(self.of("session_rules", session.SessionRules).values()), None)

    @property
    def home_program(self) -> homecare.HomeProgramRules | None:
        """The home program's rules (the one `home_program` entry); None without it."""
        return next(iter(self.of("home_program", homecare.HomeProgramRules).values()), None)

    @property
    def instruments(self) -> Mapping[str, instruments.Instrument]:
        """The outcome questionnaires, by id (`rmdq`, `odi`, ...)."""
        return self.of("instruments", instruments.Instrument)

    @property
    def plan_order(self) -> tuple[str, ...]:
        """The techniques the planner may propose, its first choice first (`plan_order`)."""
        ranked = [t for t in self.techniques.values() if t.plan_order is not None]
        return tuple(t.id for t in sorted(ranked, key=lambda t: t.plan_order or 0))

    def stats(self) -> dict[str, int]:
        """How many entries of every kind; regions counted as drawn (left and right apart)."""
        counts = {kind: len(entries) for kind, entries in self.entries.items()}
        counts["regions"] = len(self.regions)
        counts["exercises_with_illustrations"] = sum(
            1 for ex in self.exercises.values() if (self.root / ex.illustration).is_file()
        )
        return counts

    def dump(self) -> dict[str, object]:
        """The whole knowledge base as plain JSON-able data (regions expanded)."""
        data: dict[str, object] = {
            kind: [entry.model_dump(mode="json") for entry in entries.values()]
            for kind, entries in self.entries.items()
            if kind != "regions"
        }
        data["regions"] = [region.as_json() for region in self.regions.values()]
        return data


def load(root: Path | None = None) -> KnowledgeBase:
    """Load and validate the knowledge base under `root`; raise KnowledgeBaseError if wrong."""
    root = (root or DEFAULT_ROOT).resolve()
    problems: list[Problem] = []
    entries: dict[str, dict[str, Entry]] = {kind: {} for kind in KINDS}
    files: dict[tuple[str, str], str] = {}
    invalid: set[tuple[str, str]] = set()
    paths = sorted(root.rglob("*.yaml"))
    if not paths:
        raise KnowledgeBaseError([Problem(str(root), None, None, "no .yaml files found")])
    for path in paths:
        name = path.relative_to(root).as_posix()
        for kind, entry in _read_file(path, name, problems, invalid):
            other = files.get((kind, entry.id))
            if other is not None:
                problems.append(
                    Problem(name, entry.id, "id", f"duplicate id: {other} defines it too")
                )
                continue
            entries[kind][entry.id] = entry
            files[(kind, entry.id)] = name
    regions = _expand_regions(entries["regions"], files, problems)
    for kind, model in KINDS.items():
        for entry_id, at, message in model.check_entries(list(entries[kind].values())):
            problems.append(Problem(files[(kind, entry_id)], entry_id, at, message))
    if not any(p.entry is None for p in problems):
        # A file that could not be read at all would make every reference into it dangle:
        # report the unreadable file alone first.
        problems.extend(_check_references(root, entries, files, invalid))
    if problems:
        raise KnowledgeBaseError(problems)
    return KnowledgeBase(
        root=root,
        entries=MappingProxyType({k: MappingProxyType(v) for k, v in entries.items()}),
        regions=MappingProxyType(regions),
        files=MappingProxyType(files),
    )


@functools.cache
def load_default() -> KnowledgeBase:
    """The knowledge base shipped with Myomap (or MYOMAP_KNOWLEDGE_DIR), loaded once."""
    override = os.environ.get("MYOMAP_KNOWLEDGE_DIR")
    return load(Path(override) if override else None)


def _read_file(
    path: Path, name: str, problems: list[Problem], invalid: set[tuple[str, str]]
) -> Iterator[tuple[str, Entry]]:
    """Yield the valid entries of one file; report the others and remember their ids, so
    that references to them are not reported a second time."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        problems.append(Problem(name, None, None, f"not valid YAML{where}: {problem}"))
        return
    if not isinstance(data, dict) or set(data) != {"kind", "entries"}:
        problems.append(Problem(name, None, None, "a file must have exactly 'kind' and 'entries'"))
        return
    kind = data["kind"]
    if kind not in KINDS:
        problems.append(
            Problem(name, None, "kind", f"unknown kind {kind!r}; known: {', '.join(KINDS)}")
        )
        return
    if not isinstance(data["entries"], list):
        problems.append(Problem(name, None, "entries", "must be a list"))
        return
    model = KINDS[kind]
    for index, raw in enumerate(data["entries"], start=1):
        label = raw.get("id") if isinstance(raw, dict) else None
        entry_name = str(label) if label else f"#{index}"
        try:
            yield kind, model.model_validate(raw)
        except ValidationError as exc:
            if label:
                invalid.add((kind, str(label)))
            for err in exc.errors():
                problems.append(Problem(name, entry_name, _loc(err["loc"]), _message(err)))


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(err: Mapping[str, Any]) -> str:
    loc = err["loc"]
    if loc and loc[0] == "sources" and err["type"] in {"missing", "too_short"}:
        return "missing source: cite at least one id from sources.yaml"
    if err["type"] == "extra_forbidden":
        return "unknown field"
    return str(err["msg"])


def _expand_regions(
    specs: Mapping[str, Entry], files: Mapping[tuple[str, str], str], problems: list[Problem]
) -> dict[str, Region]:
    regions: dict[str, Region] = {}
    for spec in specs.values():
        assert isinstance(spec, RegionSpec)
        for region in spec.expand():
            if region.id in regions or (region.id != spec.id and region.id in specs):
                problems.append(
                    Problem(
                        files[("regions", spec.id)],
                        spec.id,
                        "id",
                        f"expands to {region.id!r}, which another region already uses",
                    )
                )
            regions[region.id] = region
    return regions


def _check_references(
    root: Path,
    entries: Mapping[str, Mapping[str, Entry]],
    files: Mapping[tuple[str, str], str],
    invalid: set[tuple[str, str]],
) -> Iterator[Problem]:
    singular = {"sources": "source", "regions": "region", "files": "file"}
    for kind, by_id in entries.items():
        for entry in by_id.values():
            for ref in entry.references():
                if ref.kind == "files":
                    if (root / ref.target).is_file():
                        continue
                    known: list[str] = []
                elif ref.target in entries[ref.kind] or (ref.kind, ref.target) in invalid:
                    continue
                else:
                    known = list(entries[ref.kind])
                what = singular.get(ref.kind, ref.kind.rstrip("s").replace("_", " "))
                hint = difflib.get_close_matches(ref.target, known, n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                yield Problem(
                    files[(kind, entry.id)],
                    entry.id,
                    ref.field,
                    f"unknown {what} '{ref.target}'{suggestion}",
                )
