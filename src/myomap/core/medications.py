"""Reading an intake's medications text: which drug classes (knowledge kind
`medications`) it names, and so which contraindication or red flag to ask about.

A name in free text is a prompt, never a conclusion: "stopped warfarin", "aspirin
allergy" and "hydrocortisone cream" all match, and the therapist confirms with the
client (`myomap.core.screening.screen` takes the review into account).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from myomap.core.kb.loader import KnowledgeBase
from myomap.core.kb.medications import WORD, DrugClass, words

# What may stand between the words of a several-word name: "low dose", "low-dose",
# "co-codamol", "blood / thinner".
_JOINER = re.compile(r"[\s\-/]*")
TARGET_KINDS = ("contraindication", "red-flag")


@dataclass(frozen=True)
class MedicationTarget:
    kind: str  # "contraindication" | "red-flag"
    id: str
    name: str


@dataclass(frozen=True)
class MedicationMatch:
    """One drug class the text names: the class, what it points to, and the words found
    (as written, in the order they appear, each once)."""

    drug_class: str
    class_name: str
    plain: str
    target: MedicationTarget
    words: tuple[str, ...]


@dataclass(frozen=True)
class _Token:
    word: str
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.group().casefold(), m.start(), m.end()) for m in WORD.finditer(text)]


def _same(token: str, word: str, *, last: bool) -> bool:
    """A text word is a name's word, or (for the last word of a name) its plural."""
    if token == word:
        return True
    return last and word.isalpha() and token in (word + "s", word + "es")


def _find(text: str, tokens: list[_Token], drug_class: DrugClass) -> list[tuple[int, str]]:
    """(position in the text, the words as written) of every name of the class, longest
    names first so that "low dose aspirin" is found whole rather than as "aspirin"."""
    names = sorted({words(n) for n in drug_class.names}, key=len, reverse=True)
    used: set[int] = set()
    found: list[tuple[int, str]] = []
    for name in names:
        size = len(name)
        for i in range(len(tokens) - size + 1):
            span = range(i, i + size)
            if used.intersection(span):
                continue
            run = tokens[i : i + size]
            if not all(
                _same(t.word, w, last=k == size - 1)
                for k, (t, w) in enumerate(zip(run, name, strict=True))
            ):
                continue
            gaps = (text[a.end : b.start] for a, b in itertools.pairwise(run))
            if not all(_JOINER.fullmatch(gap) for gap in gaps):
                continue
            used.update(span)
            found.append((run[0].start, " ".join(text[run[0].start : run[-1].end].split())))
    return sorted(found)


def _target(kb: KnowledgeBase, drug_class: DrugClass) -> MedicationTarget:
    kind, target_id = drug_class.target
    if kind == "contraindication":
        return MedicationTarget(kind, target_id, kb.contraindications[target_id].name)
    return MedicationTarget(kind, target_id, kb.red_flags[target_id].name)


def match_medications(kb: KnowledgeBase, text: str) -> tuple[MedicationMatch, ...]:
    """The drug classes `text` names, in the order the text first names them.

    Names (generic, brand, plain terms) are matched case-insensitively as whole words:
    doses, punctuation and line breaks around them do not matter, the last word of a name
    may be plural, and the words of a longer name may be joined by spaces or hyphens.

    Worked example, with the knowledge base shipped::

        >>> from myomap.core.kb import load_default
        >>> kb = load_default()
        >>> found = match_medications(
        ...     kb, "Warfarin 5 mg daily; prednisolone 10 mg for 2 years"
        ... )
        >>> [(m.drug_class, m.target.kind, m.target.id, m.words) for m in found]
        [('anticoagulants', 'contraindication', 'anticoagulants', ('Warfarin',)), \
('oral-corticosteroids', 'red-flag', 'fracture-long-term-steroids', ('prednisolone',))]

    "Low-dose aspirin 75mg" gives antiplatelets with the words ("Low-dose aspirin",);
    "heparinised saline" gives nothing (not the whole word); "no medication" gives
    nothing. "Stopped warfarin" still gives anticoagulants: whether the client takes it
    is the therapist's question, not the matcher's.
    """
    tokens = _tokens(text)
    if not tokens:
        return ()
    out: list[tuple[int, int, MedicationMatch]] = []
    for order, drug_class in enumerate(kb.medications.values()):
        found = _find(text, tokens, drug_class)
        if not found:
            continue
        seen: dict[str, str] = {}
        for _, written in found:
            seen.setdefault(written.casefold(), written)
        match = MedicationMatch(
            drug_class=drug_class.id,
            class_name=drug_class.name,
            plain=drug_class.plain,
            target=_target(kb, drug_class),
            words=tuple(seen.values()),
        )
        out.append((found[0][0], order, match))
    return tuple(match for _, _, match in sorted(out, key=lambda item: item[:2]))
