"""The safety screening of an intake, as stored (reads only): its answers, the medicines
its medications text names and the therapist's review of them, the doctor's clearance and
the safety gate's state, turned into the core's `Screening`. Shared by every surface."""

from __future__ import annotations

import dataclasses
import threading

from myomap.clients.models import Intake
from myomap.core import screening as core_screening
from myomap.core.kb import KnowledgeBase, load_default
from myomap.core.medications import MedicationMatch, match_medications


def screen_intake(intake: Intake) -> core_screening.Screening:
    """The safety screening of an intake's answers (pure; no write). A red flag resolved
    by a recorded referral (routine flags), a medical clearance or an override stays on
    record but no longer blocks; an emergency or urgent flag whose referral is recorded
    still blocks, waiting for the clearance.

    Stored answers are read tolerantly: an id the knowledge base no longer has (a clinic
    may swap its knowledge folder) is skipped, except a red flag answered yes, which keeps
    blocking under its id, so an old record can always be shown and never loses a flag."""
    kb = load_default()
    flags = {k: v for k, v in intake.red_flag_answers.items() if k in kb.red_flags}
    contra = {k: v for k, v in intake.contraindication_answers.items() if k in kb.contraindications}
    result = core_screening.screen(
        kb,
        flags,
        contra,
        named_medicines(kb, intake.medications),
        _reviewed(kb, intake),
        clearance=intake.clearance_note or None,
    )
    retired = [k for k, v in intake.red_flag_answers.items() if v and k not in kb.red_flags]
    if retired:
        kept = tuple(
            core_screening.RedFlagHit(
                id=k,
                name=f"{k} (no longer in the knowledge base)",
                category="other",
                urgency="urgent",
                question="",
                action="Review this answer with the client: consider referral.",
            )
            for k in retired
        )
        result = dataclasses.replace(result, red_flags=kept + result.red_flags)
    if intake.gate == Intake.Gate.AWAITING:
        return dataclasses.replace(result, awaiting_clearance=intake.gate_note)
    if intake.gate in Intake.OPENED:
        return result.clear(_opened_by(intake))
    return result


def _opened_by(intake: Intake) -> str:
    """What opened the gate, in words, for the screening's headline and the note."""
    if intake.gate == Intake.Gate.CLEARED and intake.flag_clearance_on is not None:
        return (
            f"medical clearance from {intake.flag_clearance_from} on "
            f"{intake.flag_clearance_on:%d %b %Y}: {intake.flag_clearance_note} "
            f"(referral: {intake.gate_note})"
        )
    return intake.gate_note


def _reviewed(kb: KnowledgeBase, intake: Intake) -> dict[str, bool]:
    """The therapist's answers about the medicines the medications text names, read
    tolerantly (ids the knowledge base no longer has, and malformed rows, are skipped)."""
    known = set(kb.contraindications) | set(kb.red_flags)
    review = intake.medication_review if isinstance(intake.medication_review, dict) else {}
    return {
        target: row["answer"]
        for target, row in review.items()
        if target in known and isinstance(row, dict) and isinstance(row.get("answer"), bool)
    }


# The drug classes a medications text names, by the text: reading a text takes the core
# about a millisecond (every name of every class is tried), and every tab of a visit
# screens its intake. What a text names depends on the text and the knowledge base only,
# so an entry never goes stale; the knowledge base it was read with is kept beside it.
_NAMED: dict[str, tuple[MedicationMatch, ...]] = {}
_NAMED_WITH: list[KnowledgeBase] = []
_NAMED_MOST = 4096
_NAMED_LOCK = threading.Lock()


def named_medicines(kb: KnowledgeBase, text: str) -> tuple[MedicationMatch, ...]:
    """`core.medications.match_medications(kb, text)`, read once per text and process."""
    with _NAMED_LOCK:
        if not _NAMED_WITH or _NAMED_WITH[0] is not kb:
            _NAMED.clear()
            _NAMED_WITH[:] = [kb]
        found = _NAMED.get(text)
    if found is None:
        found = match_medications(kb, text)
        with _NAMED_LOCK:
            if _NAMED_WITH and _NAMED_WITH[0] is kb:
                if len(_NAMED) >= _NAMED_MOST:
                    _NAMED.clear()
                _NAMED[text] = found
    return found
