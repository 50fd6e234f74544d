"""The SOAP draft: a session note written from the plain record of a visit
(`core.record.VisitRecord`), for the therapist to edit and sign. Names come from the
knowledge base and every level, urgency and id is said in words; the wording describes
findings ("consistent with active trigger points"), never a diagnosis, and says
"consider referral" when a red flag was found. The plan gives each step's technique,
pressure, hold and repetitions, says which points were left out for safety, and takes
the aftercare timings (soreness, relief, rebooking) from the knowledge base.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from myomap.core.factors import FactorScore
from myomap.core.kb.loader import KnowledgeBase
from myomap.core.planning import Palpation, Plan, PlanStep, check_points, unsafe_area
from myomap.core.planning import short_name as _short
from myomap.core.program import refusals
from myomap.core.program import suggest_exercises as suggest_exercises
from myomap.core.record import Movement, Treated, VisitRecord
from myomap.core.screening import Screening
from myomap.core.vocab import LEVEL_WORDS, TEST_RESULTS, URGENCY_WORDS, on_tender_scale

DONE = {
    "postpone": "session postponed",
    "no-deep-pressure": "light pressure only, deep techniques not used",
    "avoid-locally": "affected area avoided",
    "ask-doctor": "medical clearance to be obtained before pressure work",
    "precaution": "session adapted",
}


OUTCOMES_HEADING = "Outcome measures taken at this visit:"


@dataclass(frozen=True)
class Soap:
    subjective: str
    objective: str
    assessment: str
    plan: str


def point_name(kb: KnowledgeBase, trigger_point: str, side: str) -> str:
    """ "Left quadratus lumborum, superficial cranial"; midline points say so at the end.
    Lower-case it (`_lower`) inside a sentence."""
    name = kb.trigger_points[trigger_point].name
    if side in ("left", "right", "bilateral"):
        return f"{side.capitalize()} {_lower(name)}"
    return f"{name}, midline" if side == "midline" else name


def _in(kb: KnowledgeBase, trigger_point: str, side: str) -> str:
    return _lower(point_name(kb, trigger_point, side))


def _lower(text: str) -> str:
    return text if len(text) > 1 and text[1].isupper() else text[:1].lower() + text[1:]


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?" else text + "."


def _list(items: Iterable[str]) -> str:
    """ "a, b and c"; items that hold commas themselves are separated by semicolons."""
    words = list(dict.fromkeys(items))
    if len(words) <= 1:
        return "".join(words)
    sep = "; " if any("," in w for w in words) else ", "
    return sep.join(words[:-1]) + (";" if sep == "; " else "") + " and " + words[-1]


def _check(kb: KnowledgeBase, record: VisitRecord) -> None:
    drawing, treated = record.drawing, record.treated
    problems = [f"unknown region {r!r}" for r in drawing if r not in kb.regions]
    problems += [
        f"intensity {v!r} for {r} is outside 0-10" for r, v in drawing.items() if not 0 <= v <= 10
    ]
    problems += [
        f"unknown exam test {m.test!r}" for m in record.movement if m.test not in kb.exam_tests
    ]
    problems += [
        f"movement result {m.result!r} for {m.test} (use positive or negative)"
        for m in record.movement
        if m.result not in TEST_RESULTS
    ]
    problems += [
        f"unknown technique {tech!r}" for _, _, tech, _, _ in treated if tech not in kb.techniques
    ]
    problems += [
        f"tenderness {v!r} for {tp} is outside 0-10"
        for tp, _, _, before, after in treated
        for v in (before, after)
        if not on_tender_scale(v)
    ]
    problems += [f"unknown exercise {e!r}" for e in record.exercises if e not in kb.exercises]
    if problems:
        raise ValueError("; ".join(problems))


def draft_soap(kb: KnowledgeBase, record: VisitRecord) -> Soap:
    """Draft the four SOAP sections from the record of a visit. Raises ValueError naming
    unknown ids or values out of range."""
    _check(kb, record)
    treated_points = [(t[0], t[1], 0.0) for t in record.treated]
    check_points(kb, [*record.candidates, *treated_points], record.palpation)
    objective = _objective(kb, record.palpation, record.movement, record.treated)
    if record.session_done:
        objective = "\n".join(
            line for line in (objective, "Treated in the session:", *record.session_done) if line
        )
    if record.outcomes:
        objective = "\n".join(
            line for line in (objective, OUTCOMES_HEADING, *record.outcomes) if line
        )
    assessment = _assessment(
        kb, record.screening, record.factors, record.palpation, record.candidates
    )
    if record.session_measured:
        assessment = "\n".join(line for line in (assessment, *record.session_measured) if line)
    return Soap(
        subjective=_subjective(kb, record),
        objective=objective,
        assessment=assessment,
        plan=_plan(kb, record),
    )


def _subjective(kb: KnowledgeBase, record: VisitRecord) -> str:
    complaint, drawing = record.complaint, record.drawing
    lines = [f"Client reports: {_sentence(complaint)}" if complaint.strip() else ""]
    painful = sorted(((r, v) for r, v in drawing.items() if v > 0), key=lambda rv: -rv[1])
    if painful:
        where = ", ".join(f"{_lower(kb.regions[r].name)} {v}/10" for r, v in painful)
        lines.append(f"Pain drawing: {where}.")
    else:
        lines.append("Pain drawing: no painful regions marked.")
    if record.history.strip():
        lines.append(f"History: {_sentence(record.history)}")
    if record.medications.strip():
        lines.append(f"Medications: {_sentence(record.medications)}")
    return "\n".join(line for line in lines if line)


def _objective(
    kb: KnowledgeBase,
    palpation: Sequence[Palpation],
    movement: Sequence[Movement],
    treated: Sequence[Treated],
) -> str:
    lines: list[str] = []
    for p in palpation:
        signs = ", ".join(p.signs) if p.tender != 0 else ", ".join(("not tender", *p.signs[1:]))
        lines.append(f"{point_name(kb, p.trigger_point, p.side)}: {signs or 'no signs recorded'}.")
    for m in movement:
        on = f" ({m.side})" if m.side in ("left", "right") else ""
        said = f" - {' '.join(m.note.split())}" if m.note.strip() else ""
        lines.append(_sentence(f"{kb.exam_tests[m.test].name}{on}: {m.result}{said}"))
    for tp, side, tech, before, after in treated:
        done = f"{point_name(kb, tp, side)}: {_lower(kb.techniques[tech].name)}"
        told = [
            f"{v}/10 {when}" for v, when in ((before, "before"), (after, "after")) if v is not None
        ]
        done += f"; tenderness {', '.join(told)}" if told else ""
        lines.append(f"Treated - {done}.")
    return "\n".join(lines) or "No examination findings recorded."


def _assessment(
    kb: KnowledgeBase,
    screening: Screening | None,
    factors: Sequence[FactorScore],
    palpation: Sequence[Palpation],
    candidates: Sequence[tuple[str, str, float]],
) -> str:
    lines: list[str] = []
    active = [_in(kb, p.trigger_point, p.side) for p in palpation if p.referral]
    banded = [
        _in(kb, p.trigger_point, p.side)
        for p in palpation
        if p.taut_band and not p.referral and p.tender  # tender: recorded, and above 0
    ]
    # A taut band with no tenderness recorded: the note says only what was found.
    unrated = [
        _in(kb, p.trigger_point, p.side)
        for p in palpation
        if p.taut_band and not p.referral and p.tender is None
    ]
    clear = [_in(kb, p.trigger_point, p.side) for p in palpation if p.tender == 0]
    if active:
        lines.append(f"Findings consistent with active trigger points in {_list(active)}.")
    if banded:
        lines.append(f"Tender spots in taut bands (possible trigger points) in {_list(banded)}.")
    if unrated:
        lines.append(f"Taut bands, tenderness not recorded, in {_list(unrated)}.")
    if clear:
        lines.append(f"Examined and not tender: {_list(clear)}.")
    examined = {(p.trigger_point, p.side) for p in palpation}
    looked = [_in(kb, tp, side) for tp, side, _ in candidates if (tp, side) in examined]
    if looked:
        lines.insert(0, f"Candidates from the pain drawing examined: {_list(looked)}.")
    elif candidates:
        top = _list(_in(kb, tp, side) for tp, side, _ in candidates[:3])
        lines.insert(0, f"Candidates to examine from the pain drawing: {top}.")
    if palpation and not (active or banded):
        lines.append("No trigger point confirmed on palpation.")
    likely = [f.name.lower() for f in factors if f.level == "likely"]
    possible = [f.name.lower() for f in factors if f.level == "possible"]
    if likely or possible:
        parts = [
            f"likely {_list(likely)}" if likely else "",
            f"possible {_list(possible)}" if possible else "",
        ]
        lines.append(f"Contributing NMT factors: {'; '.join(p for p in parts if p)}.")
    elif factors:
        lines.append("No contributing NMT factors indicated by the intake answers.")
    lines.append(_safety(screening))
    return "\n".join(lines)


def _safety(screening: Screening | None) -> str:
    if screening is None:
        return "Safety screening: not recorded."
    flags = _list(
        f"{_lower(f.name)} ({URGENCY_WORDS.get(f.urgency, 'referral')})"
        for f in screening.red_flags
    )
    if screening.blocked:
        return (
            f"Safety: red flags present - {flags}. Hands-on treatment stopped; consider referral."
        )
    said = "Safety: no red flags"
    if flags:
        said = f"Safety: red flags present - {flags}; cleared: {screening.cleared}".rstrip(".")
    if not screening.contraindications:
        return f"{said}; no contraindications recorded."
    hits = _list(
        f"{_lower(c.name)} ({LEVEL_WORDS.get(c.level, 'precaution')}: "
        f"{DONE.get(c.level, 'session adapted')})"
        for c in screening.contraindications
    )
    return f"{said}; contraindications and precautions - {hits}."


def _plan(kb: KnowledgeBase, record: VisitRecord) -> str:
    screening, plan, treated = record.screening, record.plan, record.treated
    palpation, candidates = record.palpation, record.candidates
    lines: list[str] = []
    confirmed = False
    if screening is not None and screening.blocked:
        lines.append(f"{screening.headline} Record the referral advice given.")
        lines += [f"- {_lower(f.name)}: {' '.join(f.action.split())}" for f in screening.red_flags]
        lines.append("No hands-on treatment until a referral or an override is recorded.")
    elif screening is not None and screening.postpone:
        lines.append(f"{screening.headline} Rebook once it has resolved.")
    elif plan is not None and plan.blocked_reason:
        lines.append(f"No hands-on treatment today: {plan.blocked_reason}")
    elif plan is not None and plan.steps and not treated:
        planned, confirmed = _planned(kb, plan, palpation, set(record.session_points))
        lines += planned
    excluded = dict.fromkeys((*record.excluded, *(plan.excluded if plan is not None else ())))
    for why in filter(None, (unsafe_area(why) for _, _, why in excluded)):
        lines.append(_sentence(f"Not treated for safety: {why}"))
    if screening is not None and screening.red_flags and not screening.blocked:
        names = _list(_lower(f.name) for f in screening.red_flags)
        lines.append(f"Red flags on record ({names}): ask about them again at the next visit.")
    lines += _home_exercises(kb, record)
    examined = {(p.trigger_point, p.side) for p in palpation} | {(t[0], t[1]) for t in treated}
    later = [_in(kb, tp, side) for tp, side, _ in candidates if (tp, side) not in examined]
    if later and treated:
        lines.append(f"Examine next visit: {_list(later[:3])}.")
    if treated or confirmed:
        lines += _aftercare(kb, record.rebook_days)
    return "\n".join(lines) or "No plan recorded."


def _home_exercises(kb: KnowledgeBase, record: VisitRecord) -> list[str]:
    """The home exercises, without those the client's contraindications rule out at home
    (no self-pressure with a blood thinner: the knowledge base's exclusions)."""
    screening = record.screening
    refused: dict[str, str] = {}
    if screening is not None and kb.home_program is not None:
        refused = refusals(kb, (c.id for c in screening.contraindications))
    given = [kb.exercises[e].name for e in record.exercises if e not in refused]
    # the plan's choice: whether a home program was given is the portal's (program app)
    lines = [f"Home exercises in the plan: {', '.join(given)}."] if given else []
    left = [e for e in record.exercises if e in refused]
    if left:
        names = ", ".join(kb.exercises[e].name for e in left)
        lines.append(_sentence(f"Not given for home: {names}: {refused[left[0]]}"))
    return lines


def _aftercare(kb: KnowledgeBase, rebook_days: int | None) -> list[str]:
    """Rebooking and soreness, in the knowledge base's numbers (aftercare.yaml)."""
    care = kb.aftercare
    if care is None:
        return []
    days = rebook_days if rebook_days is not None else care.rebook_days.usual
    relief, sore = care.relief_days, care.soreness_hours
    return [
        f"Rebook in about {days} days; relief usually lasts {relief.low}-{relief.high} days.",
        _sentence(f"Soreness may last {sore.low}\u2013{sore.high} hours; {care.soreness_advice}"),
    ]


def _dose(step: PlanStep) -> str:
    """ "ischemic compression, moderate pressure, 20 s x 2"; a technique that is not a
    timed hold gives how many times instead."""
    times = step.repetitions
    if step.hold_seconds > 0:
        how = f"{step.hold_seconds} s x {times}"
    else:
        how = "once" if times == 1 else f"{times} times"
    return f"{_lower(_short(step.technique_name))}, {step.pressure} pressure, {how}"


def _planned(
    kb: KnowledgeBase,
    plan: Plan,
    palpation: Sequence[Palpation],
    held: set[tuple[str, str]],
) -> tuple[list[str], bool]:
    """The plan's steps for points found on palpation (tender, or a trigger point sign
    such as reproduced referral) or held in the guided session as the treatment plan;
    steps neither palpated nor held as candidates to palpate next. A step whose point was
    palpated and found not tender (tender 0 without referral, as in
    `planning.propose_plan`) and not held is in neither list: the assessment says it was
    examined and not tender. Also says whether any step is treatment (not only
    candidates)."""
    found = {(p.trigger_point, p.side): p for p in palpation}
    confirmed: list[str] = []
    to_palpate: list[str] = []
    for step in plan.steps:
        what = f"{_in(kb, step.trigger_point, step.side)} - {_dose(step)}"
        p = found.get((step.trigger_point, step.side))
        if (step.trigger_point, step.side) in held:
            confirmed.append(what)
        elif p is None:
            to_palpate.append(what)
        elif _found(p):
            confirmed.append(what)
    lines: list[str] = []
    if confirmed:
        steps = "; ".join(f"{n}. {what}" for n, what in enumerate(confirmed, start=1))
        lines.append(f"Treatment plan: {steps}.")
    if to_palpate:
        lines.append(f"Candidates to palpate next; treat only if tender: {'; '.join(to_palpate)}.")
    return lines, bool(confirmed)


def _found(p: Palpation) -> bool:
    """Tender or with a trigger point sign, as planning counts it: reproduced referral
    counts even at tenderness 0; otherwise the tenderness decides when it was recorded."""
    if p.referral:
        return True
    if p.tender is not None:
        return p.tender > 0
    return p.taut_band or p.twitch or p.jump
