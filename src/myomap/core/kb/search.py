"""Find knowledge-base entries by name or alias, forgiving case and word order.

>>> from myomap.core.kb import load_default
>>> [hit.entry_id for hit in search(load_default(), "SI joint")][:1]
['si-joint']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from myomap.core.kb.loader import KnowledgeBase

# The kinds a person searches for, in the order results are shown, with their labels.
SEARCHABLE: dict[str, str] = {
    "muscles": "Muscle",
    "trigger_points": "Trigger point",
    "exercises": "Exercise",
    "conditions": "Condition",
    "techniques": "Technique",
    "exam_tests": "Examination",
    "red_flags": "Red flag",
    "contraindications": "Contraindication",
    "regions": "Body region",
}


@dataclass(frozen=True)
class Hit:
    kind: str
    label: str
    entry_id: str
    name: str
    matched: str  # the name or alias that matched
    score: int  # 3 exact, 2 starts with, 1 all words found


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _score(query: list[str], text: str) -> int:
    words = _words(text)
    if words == query:
        return 3
    if words[: len(query)] == query:
        return 2
    joined = " ".join(words)
    return 1 if all(q in joined for q in query) else 0


def search(kb: KnowledgeBase, query: str, limit: int = 50) -> list[Hit]:
    """Entries whose name or an alias contains every word of `query`, best first."""
    terms = _words(query)
    if not terms:
        return []
    hits: list[Hit] = []
    for kind, label in SEARCHABLE.items():
        for entry in kb.entries[kind].values():
            name = str(getattr(entry, "name", entry.id))
            names = [name, entry.id.replace("-", " "), *getattr(entry, "aliases", ())]
            best = max(((_score(terms, n), n) for n in names), key=lambda pair: pair[0])
            if best[0]:
                hits.append(Hit(kind, label, entry.id, name, best[1], best[0]))
    order = list(SEARCHABLE)
    hits.sort(key=lambda h: (-h.score, order.index(h.kind), h.name))
    return hits[:limit]
