"""Safety screening: red flags stop treatment; contraindications remove or modify
techniques (knowledge kinds `red_flags` and `contraindications`).

Wording is always "consider referral", never a diagnosis. A red flag wins over
everything: `Screening.blocked` stops treatment planning until the therapist records a
referral or an override (the records side decides that, not this module).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from myomap.core.kb.loader import KnowledgeBase
from myomap.core.medications import MedicationMatch
from myomap.core.vocab import LEVEL_WORDS, LEVELS, URGENCIES

CATEGORY_WORDS = {
    "cauda-equina": "cauda equina signs",
    "cancer": "red flags for cancer",
    "infection": "red flags for infection",
    "fracture": "red flags for fracture",
    "inflammatory": "signs of inflammatory back pain",
}


@dataclass(frozen=True)
class RedFlagHit:
    id: str
    name: str
    category: str
    urgency: str  # emergency | urgent | routine
    question: str
    action: str


@dataclass(frozen=True)
class ContraindicationHit:
    id: str
    name: str
    level: str
    question: str
    note: str | None
    # The base regions its local rules hold for: an avoid-locally condition's usual areas,
    # or those of an ask-doctor condition's limits once cleared. Empty: unpredictable.
    areas: tuple[str, ...] = ()
    max_pressure: str | None = None  # the most pressure allowed over `areas`, once cleared

    @property
    def level_words(self) -> str:
        """The level in words ("no deep pressure"), never the code."""
        return LEVEL_WORDS.get(self.level, self.level)


@dataclass(frozen=True)
class MedicationHit:
    """A drug class the medications text names, what it points to, and the therapist's
    review: `answer` None until asked, True when the client takes it (or the intake's
    own answer already says yes), False when the client does not."""

    drug_class: str
    class_name: str
    plain: str
    words: tuple[str, ...]
    target_kind: str  # "contraindication" | "red-flag"
    target_id: str
    target_name: str
    answer: bool | None
    question: str  # what the therapist asks the client

    @property
    def reviewed(self) -> bool:
        return self.answer is not None


@dataclass(frozen=True)
class TechniqueRule:
    technique: str
    technique_name: str
    effect: str  # "removed" | "modified"
    how: str | None  # for modified: how to modify
    because_id: str
    because_name: str
    level: str
    local_only: bool  # True for avoid-locally: applies over the affected area only


@dataclass(frozen=True)
class TechniqueStatus:
    allowed: bool
    modifications: tuple[str, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Screening:
    red_flags: tuple[RedFlagHit, ...]  # emergency first, then urgent, routine
    contraindications: tuple[ContraindicationHit, ...]  # postpone ... precaution
    technique_rules: tuple[TechniqueRule, ...]
    cleared: str | None = None  # the referral or override recorded for the red flags
    clearance: str | None = None  # the doctor's clearance recorded for ask-doctor conditions
    # The referral recorded for an emergency or urgent red flag that still waits for a
    # medical clearance: planning stays stopped.
    awaiting_clearance: str | None = None
    # The drug classes the medications text names, each with the therapist's review.
    medication_matches: tuple[MedicationHit, ...] = ()

    @property
    def unreviewed_medications(self) -> tuple[MedicationHit, ...]:
        """The named medicines the therapist has not yet asked the client about."""
        return tuple(m for m in self.medication_matches if m.answer is None)

    @property
    def blocked(self) -> bool:
        """Any red flag not yet cleared: treatment planning is stopped."""
        return bool(self.red_flags) and self.cleared is None

    def clear(self, note: str) -> Screening:
        """The same screening once the therapist has recorded a referral or an override
        with a reason (`note`): the red flags stay on record but no longer block, and
        the contraindications still apply."""
        if not note.strip():
            raise ValueError("clearing a red flag needs the referral made or the reason")
        return replace(self, cleared=" ".join(note.split()))

    @property
    def urgency(self) -> str | None:
        """The highest red-flag urgency, or None."""
        return self.red_flags[0].urgency if self.red_flags else None

    @property
    def referral_waits_for_clearance(self) -> bool:
        """A referral alone does not open the gate: the top red flag is emergency or
        urgent, so treatment also waits for a medical clearance (or an override)."""
        return bool(self.red_flags) and not referral_opens_gate(self.urgency)

    @property
    def postpone(self) -> bool:
        return any(c.level == "postpone" for c in self.contraindications)

    @property
    def needs_clearance(self) -> bool:
        """An ask-doctor condition whose clearance is not recorded yet."""
        return self.clearance is None and any(
            c.level == "ask-doctor" for c in self.contraindications
        )

    @property
    def no_deep_pressure(self) -> tuple[ContraindicationHit, ...]:
        """The hits that limit the whole session to light pressure."""
        return self._at("no-deep-pressure")

    def _at(self, level: str) -> tuple[ContraindicationHit, ...]:
        return tuple(c for c in self.contraindications if c.level == level)

    @property
    def headline(self) -> str:
        """One plain sentence for the top of the screening page."""
        if self.blocked:
            top = self.red_flags[0].urgency
            why = _join(_flag_words(f) for f in self.red_flags if f.urgency == top)
            if self.awaiting_clearance is not None:
                said = self.awaiting_clearance.rstrip(".")
                return (
                    f"Stop: referral recorded ({said}) for {why}; no treatment until a "
                    "medical clearance is recorded, or an override with a written reason."
                )
            if top == "emergency":
                return f"Stop: consider emergency referral today ({why})."
            if top == "urgent":
                return f"Stop treatment: consider referral to the client's doctor ({why})."
            return (
                "Planning paused: consider suggesting a non-urgent check with the client's "
                f"doctor ({why}); record a referral or an override to go on."
            )
        levels = [
            ("postpone", "Postpone today's session"),
            ("ask-doctor", "Ask the client's doctor first" if self.needs_clearance else ""),
            ("no-deep-pressure", "Light pressure only today"),
            ("avoid-locally", "Treat, but avoid the affected area"),
            ("precaution", "Go ahead with care"),
        ]
        rest = next(
            (
                f"{words}: {_join(_lower(c.name) for c in self._at(level))}."
                for level, words in levels
                if words and self._at(level)
            ),
            "No contraindications recorded." if self.red_flags else "",
        )
        unasked = self.unreviewed_medications
        if unasked:
            named = _join(w for m in unasked for w in m.words)
            rest = f"{rest} Ask the client about the medicines the intake names: {named}.".lstrip()
        if self.red_flags:
            why = _join(_flag_words(f) for f in self.red_flags)
            note = (self.cleared or "").rstrip(".")
            return f"Referral or override recorded for the red flags ({why}): {note}. {rest}"
        return rest or "No red flags or contraindications recorded."


def _lower(name: str) -> str:
    """Lower-case the first letter unless the name starts with an acronym."""
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def _flag_words(hit: RedFlagHit) -> str:
    return CATEGORY_WORDS.get(hit.category, _lower(hit.name))


def _join(words: Iterable[str]) -> str:
    unique = list(dict.fromkeys(words))
    if len(unique) <= 2:
        return " and ".join(unique)
    return ", ".join(unique[:-1]) + " and " + unique[-1]


def _check_ids(what: str, given: Mapping[str, bool], known: Mapping[str, object]) -> None:
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ValueError(f"unknown {what} id(s): {', '.join(unknown)}")


def medication_question(match: MedicationMatch, red_flag_question: str | None = None) -> str:
    """What the therapist asks about a named medicine: whether the client takes it, or
    for a red flag its own question."""
    said = f"The medications mention {_join(match.words)} ({match.plain})"
    if match.target.kind == "red-flag" and red_flag_question:
        return f"{said}: ask the client: {red_flag_question}"
    return f"{said}: does the client take it?"


def screen(
    kb: KnowledgeBase,
    red_flag_answers: Mapping[str, bool],
    contraindication_answers: Mapping[str, bool],
    medications: Sequence[MedicationMatch] = (),
    review: Mapping[str, bool] | None = None,
    *,
    clearance: str | None = None,
) -> Screening:
    """The red flags and contraindications answered yes, most serious first, and the
    technique rules they imply. Raises ValueError naming any unknown id.

    `medications` are the drug classes the medications text names
    (`myomap.core.medications.match_medications`) and `review` the therapist's answers
    about them (contraindication or red flag id -> does the client take it). The rule is
    the cautious one: a contraindication the text names applies until the review says
    the client does not take the medicine; a red flag the text suggests counts only once
    the review says yes (until then it is a question to ask, and the headline says so).

    `clearance` is the doctor's clearance recorded for ask-doctor conditions (who, when,
    what they said): it lifts the wait, and each such condition's `once_cleared` rules
    (the limits that stay once treatment is allowed: no deep abdominal work in pregnancy)
    apply instead of its waiting rules.

    Example: "Warfarin 5 mg daily" with every box unticked and no review gives the
    anticoagulants contraindication (ischemic compression removed) and the headline
    "Light pressure only today: ... Ask the client about the medicines the intake names:
    Warfarin."; with review {"anticoagulants": False} it gives nothing at all.
    """
    _check_ids("red flag", red_flag_answers, kb.red_flags)
    _check_ids("contraindication", contraindication_answers, kb.contraindications)
    if clearance is not None and not clearance.strip():
        raise ValueError("recording medical clearance needs who gave it and when")
    review = review or {}
    red_flag_answers = dict(red_flag_answers)
    contraindication_answers = dict(contraindication_answers)
    named: list[MedicationHit] = []
    for match in medications:
        target = match.target
        given = (red_flag_answers if target.kind == "red-flag" else contraindication_answers).get(
            target.id
        )
        answer = True if given else review.get(target.id)
        flag = kb.red_flags.get(target.id) if target.kind == "red-flag" else None
        named.append(
            MedicationHit(
                drug_class=match.drug_class,
                class_name=match.class_name,
                plain=match.plain,
                words=match.words,
                target_kind=target.kind,
                target_id=target.id,
                target_name=target.name,
                answer=answer,
                question=medication_question(match, flag.question if flag else None),
            )
        )
        if target.kind == "red-flag":
            if answer:
                red_flag_answers[target.id] = True
        elif answer is not False:
            contraindication_answers[target.id] = True
    flags = [
        RedFlagHit(f.id, f.name, f.category, f.urgency, f.question, f.action)
        for f in kb.red_flags.values()
        if red_flag_answers.get(f.id)
    ]
    flags.sort(key=lambda f: URGENCIES.index(f.urgency))
    hits = [c for c in kb.contraindications.values() if contraindication_answers.get(c.id)]
    hits.sort(key=lambda c: LEVELS.index(c.level))
    rules: list[TechniqueRule] = []
    areas: dict[str, tuple[str, ...]] = {}
    notes: dict[str, str | None] = {}  # once cleared, the note that still applies
    most: dict[str, str | None] = {}  # once cleared, the most pressure over the areas
    for c in hits:
        removes, modifies, areas[c.id] = c.removes, c.modifies, c.areas
        if clearance is not None and c.level == "ask-doctor":
            # The doctor's clearance lifts the wait, not the condition's own limits.
            after = c.once_cleared
            removes = after.removes if after else ()
            modifies = after.modifies if after else ()
            areas[c.id] = after.areas if after else ()
            if after is not None and after.note:
                notes[c.id] = after.note
            most[c.id] = after.max_pressure if after else None
        # Removals hold over the condition's areas when it has them; how a technique
        # must change (a position, a pressure) holds everywhere unless avoid-locally.
        local = c.level == "avoid-locally" or bool(areas[c.id])
        for tid in removes:
            name = kb.techniques[tid].name
            rules.append(TechniqueRule(tid, name, "removed", None, c.id, c.name, c.level, local))
        local = c.level == "avoid-locally"
        for mod in modifies:
            name = kb.techniques[mod.technique].name
            rules.append(
                TechniqueRule(
                    mod.technique, name, "modified", mod.how, c.id, c.name, c.level, local
                )
            )
    return Screening(
        red_flags=tuple(flags),
        contraindications=tuple(
            ContraindicationHit(
                c.id,
                c.name,
                c.level,
                c.question,
                notes.get(c.id, c.note),
                areas[c.id],
                most.get(c.id),
            )
            for c in hits
        ),
        technique_rules=tuple(rules),
        medication_matches=tuple(named),
        clearance=" ".join(clearance.split()) if clearance is not None else None,
    )


def referral_opens_gate(urgency: str | None) -> bool:
    """Whether recording a referral is enough to go on. A routine red flag: yes, once the
    referral (a non-urgent check with the client's doctor) is recorded. An emergency or
    urgent one: no, treatment waits until a medical clearance is recorded (who cleared,
    when, what they said) or the therapist overrides with a written reason: the referral
    says help was sought, not that it is safe to treat."""
    return urgency not in ("emergency", "urgent")


def light_pressure_note(screening: Screening) -> str | None:
    """ "Light pressure only: <why>." when a no-deep-pressure condition applies."""
    light = screening.no_deep_pressure
    return f"Light pressure only: {_join(_lower(c.name) for c in light)}." if light else None


def technique_status(
    kb: KnowledgeBase, screening: Screening, *, local_area: bool = False
) -> dict[str, TechniqueStatus]:
    """For every technique: may it be used, how must it change, and why.

    `local_area=True` asks about work over the area an avoid-locally condition affects
    (a DVT leg, a wound); otherwise those rules only add a reason to keep away from it.
    A red flag or a postpone-level contraindication allows nothing.
    """
    stop: str | None = None
    if screening.blocked:
        stop = f"red flag: {screening.headline}"
    elif screening.postpone:
        stop = "postpone today's session: " + _join(
            _lower(c.name) for c in screening.contraindications if c.level == "postpone"
        )
    adapted = {
        r.technique
        for r in screening.technique_rules
        if r.level == "no-deep-pressure" and r.effect == "modified"
    }
    out: dict[str, TechniqueStatus] = {}
    for tid, technique in kb.techniques.items():
        allowed = stop is None
        mods: list[str] = []
        reasons: list[str] = [stop] if stop else []
        for rule in screening.technique_rules:
            if rule.technique != tid or rule.level == "postpone":
                continue
            if rule.effect == "removed":
                if not rule.local_only:
                    allowed = False
                    why = LEVEL_WORDS[rule.level]
                    reasons.append(f"ruled out ({why}): {_lower(rule.because_name)}")
                elif local_area:
                    allowed = False
                    reasons.append(f"not over the affected area: {_lower(rule.because_name)}")
                else:
                    reasons.append(f"avoid over the affected area: {_lower(rule.because_name)}")
            elif rule.how and (local_area or not rule.local_only):
                mods.append(rule.how)
            elif rule.how:
                mods.append(f"Near the affected area ({_lower(rule.because_name)}): {rule.how}")
        note = light_pressure_note(screening)
        if allowed and note and tid not in adapted and technique.pressure in ("moderate", "deep"):
            mods.append(note)
        out[tid] = TechniqueStatus(
            allowed=allowed,
            modifications=tuple(dict.fromkeys(mods)),
            reasons=tuple(dict.fromkeys(reasons)),
        )
    return out
