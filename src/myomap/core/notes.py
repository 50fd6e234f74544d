"""The SOAP draft: a session note written from what was recorded, for the therapist to
edit and sign. Names come from the knowledge base; the wording describes findings
("consistent with active trigger points"), never a diagnosis, and says "consider
referral" when a red flag was found.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from myomap.core.factors import FactorScore
from myomap.core.kb.loader import KnowledgeBase
from myomap.core.planning import Palpation, Plan, check_points
from myomap.core.screening import Screening
from myomap.core.vocab import LEVEL_WORDS

SORENESS = (
    "Soreness may last 24\u201336 hours; keep moving gently and report soreness that lasts "
    "longer or is worse than the usual pain."
)
DONE = {
    "postpone": "session postponed",
    "no-deep-pressure": "light pressure only, deep techniques not used",
    "avoid-locally": "affected area avoided",
    "ask-doctor": "medical clearance to be obtained before pressure work",
    "precaution": "session adapted",
}
SELF_CARE = ("stretch", "self-release")
# (trigger point, side, technique, tenderness before, tenderness after)
Treated = tuple[str, str, str, int | None, int | None]


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


def _check(
    kb: KnowledgeBase,
    drawing: Mapping[str, int],
    movement: Sequence[tuple[str, str, str]],
    treated: Sequence[Treated],
    exercises: Sequence[str],
) -> None:
    problems = [f"unknown region {r!r}" for r in drawing if r not in kb.regions]
    problems += [
        f"intensity {v!r} for {r} is outside 0-10" for r, v in drawing.items() if not 0 <= v <= 10
    ]
    problems += [f"unknown exam test {t!r}" for t, _, _ in movement if t not in kb.exam_tests]
    problems += [
        f"movement result {res!r} for {t} (use positive or negative)"
        for t, _, res in movement
        if res not in ("positive", "negative")
    ]
    problems += [
        f"unknown technique {tech!r}" for _, _, tech, _, _ in treated if tech not in kb.techniques
    ]
    problems += [
        f"tenderness {v!r} for {tp} is outside 0-10"
        for tp, _, _, before, after in treated
        for v in (before, after)
        if v is not None and not 0 <= v <= 10
    ]
    problems += [f"unknown exercise {e!r}" for e in exercises if e not in kb.exercises]
    if problems:
        raise ValueError("; ".join(problems))


def draft_soap(
    kb: KnowledgeBase,
    *,
    complaint: str,
    drawing: Mapping[str, int],
    history: str = "",
    medications: str = "",
    screening: Screening | None = None,
    factors: Sequence[FactorScore] = (),
    palpation: Sequence[Palpation] = (),
    movement: Sequence[tuple[str, str, str]] = (),
    plan: Plan | None = None,
    treated: Sequence[Treated] = (),
    candidates: Sequence[tuple[str, str, float]] = (),
    exercises: Sequence[str] = (),
    next_visit_days: int | None = None,
) -> Soap:
    """Draft the four SOAP sections. Raises ValueError naming unknown ids or values out of
    range."""
    _check(kb, drawing, movement, treated, exercises)
    check_points(kb, [*candidates, *((t[0], t[1], 0.0) for t in treated)], palpation)
    return Soap(
        subjective=_subjective(kb, complaint, drawing, history, medications),
        objective=_objective(kb, palpation, movement, treated),
        assessment=_assessment(kb, screening, factors, palpation, candidates),
        plan=_plan(kb, screening, plan, treated, candidates, palpation, exercises, next_visit_days),
    )


def _subjective(
    kb: KnowledgeBase, complaint: str, drawing: Mapping[str, int], history: str, medications: str
) -> str:
    lines = [f"Client reports: {_sentence(complaint)}" if complaint.strip() else ""]
    painful = sorted(((r, v) for r, v in drawing.items() if v > 0), key=lambda rv: -rv[1])
    if painful:
        where = ", ".join(f"{_lower(kb.regions[r].name)} {v}/10" for r, v in painful)
        lines.append(f"Pain drawing: {where}.")
    else:
        lines.append("Pain drawing: no painful regions marked.")
    if history.strip():
        lines.append(f"History: {_sentence(history)}")
    if medications.strip():
        lines.append(f"Medications: {_sentence(medications)}")
    return "\n".join(line for line in lines if line)


def _objective(
    kb: KnowledgeBase,
    palpation: Sequence[Palpation],
    movement: Sequence[tuple[str, str, str]],
    treated: Sequence[Treated],
) -> str:
    lines: list[str] = []
    for p in palpation:
        signs = ", ".join(p.signs) if p.tender != 0 else ", ".join(("not tender", *p.signs[1:]))
        lines.append(f"{point_name(kb, p.trigger_point, p.side)}: {signs or 'no signs recorded'}.")
    for test, side, result in movement:
        on = f" ({side})" if side in ("left", "right", "bilateral") else ""
        lines.append(f"{kb.exam_tests[test].name}{on}: {result}.")
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
        if p.taut_band and not p.referral and p.tender != 0
    ]
    clear = [_in(kb, p.trigger_point, p.side) for p in palpation if p.tender == 0]
    if active:
        lines.append(f"Findings consistent with active trigger points in {_list(active)}.")
    if banded:
        lines.append(f"Tender spots in taut bands (possible trigger points) in {_list(banded)}.")
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
    flags = _list(f"{_lower(f.name)} ({f.urgency})" for f in screening.red_flags)
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
        f"{_lower(c.name)} ({LEVEL_WORDS[c.level]}: {DONE[c.level]})"
        for c in screening.contraindications
    )
    return f"{said}; contraindications and precautions - {hits}."


def _plan(
    kb: KnowledgeBase,
    screening: Screening | None,
    plan: Plan | None,
    treated: Sequence[Treated],
    candidates: Sequence[tuple[str, str, float]],
    palpation: Sequence[Palpation],
    exercises: Sequence[str],
    next_visit_days: int | None,
) -> str:
    lines: list[str] = []
    if screening is not None and screening.blocked:
        lines.append(f"{screening.headline} Record the referral advice given.")
        lines += [f"- {_lower(f.name)}: {' '.join(f.action.split())}" for f in screening.red_flags]
        lines.append("No hands-on treatment until a referral or an override is recorded.")
    elif screening is not None and screening.postpone:
        lines.append(f"{screening.headline} Rebook once it has resolved.")
    elif plan is not None and plan.blocked_reason:
        lines.append(f"No hands-on treatment today: {plan.blocked_reason}")
    elif plan is not None and plan.steps and not treated:
        lines += _planned(kb, plan, palpation)
    if screening is not None and screening.red_flags and not screening.blocked:
        names = _list(_lower(f.name) for f in screening.red_flags)
        lines.append(f"Red flags on record ({names}): ask about them again at the next visit.")
    if exercises:
        lines.append(f"Home exercises: {', '.join(kb.exercises[e].name for e in exercises)}.")
    examined = {(p.trigger_point, p.side) for p in palpation} | {(t[0], t[1]) for t in treated}
    later = [_in(kb, tp, side) for tp, side, _ in candidates if (tp, side) not in examined]
    if later and treated:
        lines.append(f"Examine next visit: {_list(later[:3])}.")
    if next_visit_days is not None:
        lines.append(f"Rebook in about {next_visit_days} days; relief usually lasts 4-14 days.")
    if treated:
        lines.append(SORENESS)
    return "\n".join(lines) or "No plan recorded."


def _planned(kb: KnowledgeBase, plan: Plan, palpation: Sequence[Palpation]) -> list[str]:
    """The plan's steps for points found on palpation (tender, or a trigger point sign
    such as reproduced referral) as the treatment plan; steps never palpated as
    candidates to palpate next. A step whose point was palpated and found not tender
    (tender 0 without referral, as in `planning.propose_plan`) is in neither list: the
    assessment says it was examined and not tender."""
    found = {(p.trigger_point, p.side): p for p in palpation}
    confirmed: list[str] = []
    to_palpate: list[str] = []
    for step in plan.steps:
        what = f"{_in(kb, step.trigger_point, step.side)} - {_lower(step.technique_name)}"
        p = found.get((step.trigger_point, step.side))
        if p is None:
            to_palpate.append(what)
        elif _found(p):
            confirmed.append(what)
    lines: list[str] = []
    if confirmed:
        steps = "; ".join(f"{n}. {what}" for n, what in enumerate(confirmed, start=1))
        lines.append(f"Treatment plan: {steps}.")
    if to_palpate:
        lines.append(f"Candidates to palpate next; treat only if tender: {'; '.join(to_palpate)}.")
    return lines


def _found(p: Palpation) -> bool:
    """Tender or with a trigger point sign, as planning counts it: reproduced referral
    counts even at tenderness 0; otherwise the tenderness decides when it was recorded."""
    if p.referral:
        return True
    if p.tender is not None:
        return p.tender > 0
    return p.taut_band or p.twitch or p.jump


def suggest_exercises(
    kb: KnowledgeBase, finding_ids: Iterable[str], muscles: Iterable[str], limit: int = 4
) -> tuple[str, ...]:
    """Exercise ids: first those addressing the findings, chosen so that every finding
    gets one before any gets a second (an exercise covering more of the findings still
    uncovered wins); then stretches and self-release for the treated muscles (an exercise
    whose main muscle is one of them first)."""
    findings, muscle_ids = list(dict.fromkeys(finding_ids)), list(dict.fromkeys(muscles))
    unknown = [f"finding {f!r}" for f in findings if f not in kb.findings]
    unknown += [f"muscle {m!r}" for m in muscle_ids if m not in kb.muscles]
    if unknown:
        raise ValueError(f"unknown {', '.join(unknown)}")
    order = {eid: i for i, eid in enumerate(kb.exercises)}
    pool = {eid: ex for eid, ex in kb.exercises.items() if set(ex.addresses) & set(findings)}
    chosen: list[str] = []
    uncovered = list(findings)
    while pool and len(chosen) < limit:
        uncovered = uncovered or list(findings)
        best = min(
            pool,
            key=lambda e: (
                -sum(1 for f in uncovered if f in pool[e].addresses),
                min(findings.index(f) for f in pool[e].addresses if f in findings),
                order[e],
            ),
        )
        done = pool.pop(best).addresses
        uncovered = [f for f in uncovered if f not in done]
        chosen.append(best)
    by_muscle: list[tuple[int, int, int, str]] = []
    for index, (eid, ex) in enumerate(kb.exercises.items()):
        worked = [m for m in ex.muscles if m in muscle_ids]
        if worked and ex.category in SELF_CARE and eid not in chosen:
            first = min(muscle_ids.index(m) for m in worked)
            by_muscle.append((ex.muscles.index(worked[0]), first, index, eid))
    chosen += [eid for *_, eid in sorted(by_muscle)]
    return tuple(chosen[: max(limit, 0)])
