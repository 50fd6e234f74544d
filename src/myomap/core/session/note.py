"""The session's lines for the SOAP draft's Objective and Assessment, from the record:
what was done on each point and what was measured, never a diagnosis or a cause.

    Right piriformis, medial: ischemic compression, 3 holds of 20-30 s, moderate
    pressure, released on the third; tenderness 7 → 3; referral reproduced.
    Pain now 6/10 at the start and 3/10 at the end of the session
    (pain 6 → 3 during the session).

Ranges are written with an en dash in the note. Names come from the knowledge base
(`notes.point_name`, the technique's name)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from myomap.core.kb.loader import KnowledgeBase
from myomap.core.notes import point_name
from myomap.core.planning import short_name
from myomap.core.session.events import FEEDBACK_WORDS
from myomap.core.session.record import HoldRecord, PointRecord, SessionRecord
from myomap.core.session.state import Measure

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")
ARROW = "\u2192"
DASH = "\u2013"
# A hold shorter than this, with no feedback, is not counted (seconds).
MIN_SECONDS = 1
# How the note says who stopped a hold (`Hold.stopped_by`).
STOPPED_BY = {
    "therapist": "stopped by the therapist",
    "client": "stopped at the client's request",
    "pad": "stopped by the client on their phone",
}


@dataclass(frozen=True)
class SessionNote:
    objective: tuple[str, ...]
    assessment: tuple[str, ...]


def session_note(kb: KnowledgeBase, record: SessionRecord) -> SessionNote:
    objective: list[str] = []
    untreated: list[str] = []
    for point in record.points:
        holds = counted_holds(record.holds_on(point.trigger_point, point.side))
        name = point_name(kb, point.trigger_point, point.side)
        if not point.planned:
            name = f"{name} (added during the session)"
        if point.skipped is not None and not holds:
            objective.append(f"Skipped - {name}: {_sentence(point.skipped)}")
            continue
        parts = [*_holds(kb, holds), *_measures(point)]
        said = _feedback(holds)
        if said:
            parts.append(said)
        if parts:
            objective.append(f"{name}: {'; '.join(parts)}.")
        elif point.planned:
            untreated.append(name)
    if untreated:
        when = "Not treated yet" if record.status == "running" else "Planned, not treated"
        objective.append(f"{when}: {'; '.join(untreated)}.")
    return SessionNote(tuple(objective), tuple(_assessment(kb, record)))


def visit_note(kb: KnowledgeBase, records: Sequence[SessionRecord]) -> SessionNote:
    """The lines of every session run of a visit, in the order they ran: one run's lines as
    `session_note` writes them; several runs each under "Session 1 of 2:" and so on, so a
    second session never hides what the first one did."""
    notes = [session_note(kb, r) for r in records]
    if len(notes) == 1:
        return notes[0]
    objective: list[str] = []
    assessment: list[str] = []
    for number, note in enumerate(notes, start=1):
        title = f"Session {number} of {len(notes)}"
        objective.append(f"{title}:")
        objective.extend(note.objective or ("nothing recorded.",))
        assessment.extend(f"{title}: {line}" for line in note.assessment)
    return SessionNote(tuple(objective), tuple(assessment))


def held_points(records: Sequence[SessionRecord]) -> tuple[tuple[str, str], ...]:
    """The points (trigger point, side) that any of the runs held, as the note counts holds,
    in the order they ran."""
    held: dict[tuple[str, str], None] = {}
    for record in records:
        for point in record.points:
            if counted_holds(record.holds_on(point.trigger_point, point.side)):
                held[(point.trigger_point, point.side)] = None
    return tuple(held)


def counted_holds(holds: Iterable[HoldRecord]) -> list[HoldRecord]:
    """The finished holds the note counts: a hold shorter than a second with no feedback
    (a start and release tapped by mistake) is not a hold."""
    return [
        h for h in holds if h.end is not None and ((h.seconds or 0) >= MIN_SECONDS or h.feedback)
    ]


def _holds(kb: KnowledgeBase, holds: list[HoldRecord]) -> list[str]:
    if not holds:
        return []
    techniques = _words(_lower(short_name(kb.techniques[h.technique].name)) for h in holds)
    seconds = [h.seconds or 0 for h in holds]
    low, high = min(seconds), max(seconds)
    span = f"{low} s" if low == high else f"{low}{DASH}{high} s"
    count = f"{len(holds)} hold{'s' if len(holds) != 1 else ''} of {span}"
    pressure = f"{_words([h.pressure for h in holds], ' then ')} pressure"
    line = [f"{techniques}, {count}, {pressure}"]
    several = len(holds) > 1
    released = next((n for n, h in enumerate(holds, start=1) if h.released), None)
    if released is not None:
        line.append(f"released on the {_nth(released)}" if several else "released")
    for n, h in enumerate(holds, start=1):
        if h.ended_by == "stop":
            who = STOPPED_BY.get(h.stopped_by or "client", STOPPED_BY["client"])
            line.append(f"{who} on the {_nth(n)}" if several else who)
    return [", ".join(line)]


def _measures(point: PointRecord) -> list[str]:
    before, after = point.before, point.after
    out: list[str] = []
    if before is not None or after is not None:
        out.append(f"tenderness {_pair(before, after, lambda m: str(m.tender))}")
    b_ppt = before.ppt if before is not None else None
    a_ppt = after.ppt if after is not None else None
    if b_ppt is not None and a_ppt is not None:
        out.append(f"pressure pain threshold {b_ppt:.1f} {ARROW} {a_ppt:.1f} kg/cm²")
    elif b_ppt is not None:
        out.append(f"pressure pain threshold {b_ppt:.1f} kg/cm² before (not measured after)")
    elif a_ppt is not None:
        out.append(f"pressure pain threshold {a_ppt:.1f} kg/cm² after (not measured before)")
    return out


def _pair(before: Measure | None, after: Measure | None, show: Callable[[Measure], str]) -> str:
    if before is not None and after is not None:
        return f"{show(before)} {ARROW} {show(after)}"
    if before is not None:
        return f"{show(before)} before"
    assert after is not None
    return f"{show(after)} after"


def _feedback(holds: list[HoldRecord]) -> str:
    stamps = [s for h in holds for s in h.feedback if s.kind not in ("released", "stop")]
    parts: list[str] = []
    if any(s.kind == "referral-reproduced" for s in stamps):
        parts.append("referral reproduced")
    counts: dict[str, int] = {}
    for s in stamps:
        if s.kind != "referral-reproduced":
            counts[s.kind] = counts.get(s.kind, 0) + 1
    if counts:
        told = ", ".join(
            f"{FEEDBACK_WORDS[k]}" + (f" \u00d7{n}" if n > 1 else "") for k, n in counts.items()
        )
        parts.append(f"client reported {told}")
    return "; ".join(parts)


def _assessment(kb: KnowledgeBase, record: SessionRecord) -> list[str]:
    lines: list[str] = []
    start, end = record.pain_start, record.pain_end
    if start is not None and end is not None:
        lines.append(
            f"Pain now {start}/10 at the start and {end}/10 at the end of the session "
            f"(pain {start} {ARROW} {end} during the session)."
        )
    elif start is not None:
        lines.append(f"Pain now {start}/10 at the start of the session; not recorded at the end.")
    elif end is not None:
        lines.append(f"Pain now {end}/10 at the end of the session; not recorded at the start.")
    both = [p for p in record.points if p.before is not None and p.after is not None]
    if both:
        lower = sum(1 for p in both if p.after and p.before and p.after.tender < p.before.tender)
        same = sum(1 for p in both if p.after and p.before and p.after.tender == p.before.tender)
        higher = len(both) - lower - same
        counts = [
            f"lower on {lower}" if lower else "",
            f"unchanged on {same}" if same else "",
            f"higher on {higher}" if higher else "",
        ]
        n = len(both)
        lines.append(
            f"Tenderness measured before and after on {n} point{'s' if n != 1 else ''}: "
            f"{', '.join(c for c in counts if c)}."
        )
    released = [
        _lower(point_name(kb, p.trigger_point, p.side))
        for p in record.points
        if any(h.released for h in record.holds_on(p.trigger_point, p.side))
    ]
    if released:
        lines.append(f"Release reported during the session on {_words(released, ', ')}.")
    return lines


def _words(items: Iterable[str], sep: str = ", ") -> str:
    return sep.join(dict.fromkeys(items))


def _nth(number: int) -> str:
    return ORDINALS[number - 1] if 1 <= number <= len(ORDINALS) else f"hold {number}"


def _lower(text: str) -> str:
    return text if len(text) > 1 and text[1].isupper() else text[:1].lower() + text[1:]


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?" else text + "."
