"""The longest a hold may last depends on its technique and its pressure (session.yaml's
`longest_hold`, Hou 2002): ischemic compression may be held up to 90 s at light or
moderate pressure and up to 60 s at deep, the firmer pressure for the shorter time. The
session refuses a longer hold naming the technique, the pressure and the limit, and a
stop past the limit records the limit at the hold's own pressure. A mistake in the rule
is a load error naming the entry and the field."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from myomap.core.kb import KnowledgeBaseError, load, load_default
from myomap.core.kb.loader import DEFAULT_ROOT
from myomap.core.session.errors import SessionError
from myomap.core.session.events import (
    Event,
    Feedback,
    GoToPoint,
    ReleaseHold,
    StartHold,
    StartSession,
)
from myomap.core.session.record import session_record
from myomap.core.session.rules import session_rules
from myomap.core.session.state import Session, apply, new_session, replay
from myomap.core.vocab import PRESSURES

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PIRI = "piriformis-medial"
IC = "ischemic-compression"
MET = "muscle-energy-technique"
# The shipped limits, in seconds, at each pressure.
LIMITS = {"light": 90, "moderate": 90, "deep": 60}


def ev(cls: type[Event], eid: str, seconds: float, **fields: Any) -> Event:
    return cls(event_id=eid, at=T0 + timedelta(seconds=seconds), **fields)


def holding(technique: str, pressure: str) -> Session:
    """Started, on the right medial piriformis, a hold of `technique` from 10 s."""
    fresh = new_session(session_rules(load_default()), [(PIRI, "right")])
    session, refused = replay(
        fresh,
        [
            ev(StartSession, "s", 0),
            ev(GoToPoint, "g", 5, trigger_point=PIRI, side="right"),
            ev(StartHold, "h", 10, technique=technique, pressure=pressure),
        ],
    )
    assert refused == ()
    return session


# ------------------------------------------------------------------------------ the lookup
def test_the_knowledge_base_gives_ischemic_compression_a_shorter_hold_at_deep_pressure():
    rules = load_default().session_rules
    assert rules is not None
    found = {p: rules.longest(IC, p) for p in PRESSURES}
    assert {p: h.seconds for p, h in found.items() if h is not None} == LIMITS
    assert found["deep"] is not None and found["deep"].pressure == "deep"
    assert found["deep"].evidence == "weak" and found["deep"].sources == ("hou-2002",)
    assert "60 s" in (found["deep"].note or "")
    # Light and moderate have no entry of their own: the entry without a pressure applies.
    assert found["light"] is found["moderate"] and found["light"] is not None
    assert found["light"].pressure is None
    assert rules.longest(MET, "deep") is None  # no longer hold listed for it


def test_the_sessions_rules_give_each_technique_its_limit_at_each_pressure():
    rules = session_rules(load_default())
    assert {p: rules.longest(IC, p) for p in PRESSURES} == LIMITS
    # A technique without a longer hold listed is held up to its planned top at any pressure.
    assert {rules.longest(MET, p) for p in PRESSURES} == {10}
    assert rules.longest("deep-gliding", "moderate") is None  # not a timed hold
    assert rules.longest("no-such-technique", "moderate") is None
    assert rules.longest(IC, "firm") is None  # not a pressure


# ---------------------------------------------------------------------- the hold's refusal
@pytest.mark.parametrize("pressure", PRESSURES)
def test_a_hold_past_its_limit_at_its_pressure_is_refused_naming_technique_pressure_and_limit(
    pressure: str,
):
    session = holding(IC, pressure)
    limit = LIMITS[pressure]
    with pytest.raises(SessionError) as caught:
        apply(session, ev(ReleaseHold, "late", 10 + limit + 1))
    assert (caught.value.field, caught.value.message) == (
        "at",
        f"the hold would last {limit + 1} s, longer than the {limit} s ischemic-compression "
        f"at {pressure} pressure allows; release it by then, or stop",
    )
    # Released at the limit, the hold is recorded with its seconds.
    released = apply(session, ev(ReleaseHold, "ok", 10 + limit))
    (hold,) = session_record(released).holds
    assert (hold.pressure, hold.seconds, hold.ended_by) == (pressure, limit, "release")


def test_a_deep_hold_of_70_s_is_refused_and_a_moderate_one_recorded():
    deep = holding(IC, "deep")
    with pytest.raises(SessionError) as caught:
        apply(deep, ev(ReleaseHold, "r", 80))
    assert "70 s, longer than the 60 s ischemic-compression at deep pressure" in str(caught.value)
    moderate = apply(holding(IC, "moderate"), ev(ReleaseHold, "r", 80))
    assert session_record(moderate).holds[0].seconds == 70


@pytest.mark.parametrize("pressure", PRESSURES)
def test_feedback_past_the_limit_at_its_pressure_is_refused_and_a_stop_is_not(pressure: str):
    session = holding(IC, pressure)
    limit = LIMITS[pressure]
    with pytest.raises(SessionError) as caught:
        apply(session, ev(Feedback, "late", 10 + limit + 1, kind="better"))
    assert f"longer than the {limit} s ischemic-compression at {pressure}" in caught.value.message
    assert apply(session, ev(Feedback, "ok", 10 + limit, kind="better")).active is not None


@pytest.mark.parametrize("pressure", PRESSURES)
def test_a_stop_an_hour_late_records_the_limit_at_the_holds_pressure(pressure: str):
    session = apply(holding(IC, pressure), ev(Feedback, "stop", 3600, kind="stop"))
    (hold,) = session_record(session).holds
    assert (hold.seconds, hold.ended_by) == (LIMITS[pressure], "stop")
    assert hold.end == T0 + timedelta(seconds=10 + LIMITS[pressure])


# ------------------------------------------------------------------ the knowledge base's check
def edited(tmp_path: Path, old: str, new: str) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_ROOT, root)
    path = root / "session.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root


def problems(root: Path) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as caught:
        load(root)
    return [str(p) for p in caught.value.problems]


def test_a_longest_hold_at_an_unknown_pressure_is_a_load_error(tmp_path: Path):
    root = edited(
        tmp_path, "pressure: deep\n        seconds: 60", "pressure: firm\n        seconds: 60"
    )
    assert problems(root) == [
        "session.yaml: entry 'guided-session': field 'longest_hold[0].pressure': Input "
        "should be 'light', 'moderate' or 'deep'"
    ]


def test_a_longest_hold_at_a_pressure_for_an_unknown_technique_is_a_load_error(tmp_path: Path):
    root = edited(
        tmp_path,
        "technique: ischemic-compression\n        pressure: deep",
        "technique: ischaemic-compression\n        pressure: deep",
    )
    assert problems(root) == [
        "session.yaml: entry 'guided-session': field 'longest_hold[0].technique': unknown "
        "technique 'ischaemic-compression' (did you mean 'ischemic-compression'?)"
    ]


def test_a_technique_and_pressure_given_twice_is_a_load_error(tmp_path: Path):
    # The second entry (every other pressure) made a second deep one.
    root = edited(tmp_path, "      - technique: ischemic-compression\n        seconds: 90",
                  "      - technique: ischemic-compression\n        pressure: deep\n"
                  "        seconds: 90")  # fmt: skip
    assert problems(root) == [
        "session.yaml: entry 'guided-session': field 'longest_hold': Value error, "
        "longest_hold[1] gives ischemic-compression at deep pressure again (longest_hold[0] "
        "does); give each technique and pressure once"
    ]


def test_two_entries_for_every_other_pressure_of_one_technique_is_a_load_error(tmp_path: Path):
    root = edited(tmp_path, "pressure: deep\n        seconds: 60", "seconds: 60")
    assert problems(root) == [
        "session.yaml: entry 'guided-session': field 'longest_hold': Value error, "
        "longest_hold[1] gives ischemic-compression at every pressure not listed again "
        "(longest_hold[0] does); give each technique and pressure once"
    ]


def test_a_longest_hold_without_its_evidence_is_a_load_error(tmp_path: Path):
    root = edited(tmp_path, "seconds: 60\n        evidence: weak\n", "seconds: 60\n")
    assert problems(root) == [
        "session.yaml: entry 'guided-session': field 'longest_hold[0].evidence': Field required"
    ]
