"""What a recorded session writes into the SOAP draft, and the knowledge base's rule on
repeated discomfort, read as the therapist reads them."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from myomap.core.kb import KnowledgeBaseError, load, load_default
from myomap.core.kb.loader import DEFAULT_ROOT, KnowledgeBase
from myomap.core.session.errors import SessionError
from myomap.core.session.events import (
    AddPoint,
    EndSession,
    Event,
    Feedback,
    GoToPoint,
    PainNow,
    ReleaseHold,
    SkipPoint,
    StartHold,
    StartSession,
    Tenderness,
)
from myomap.core.session.note import session_note, visit_note
from myomap.core.session.record import session_record
from myomap.core.session.rules import session_rules
from myomap.core.session.state import Session, apply, new_session, replay
from myomap.core.session.suggest import suggestion

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PIRI = "piriformis-medial"
QL = "quadratus-lumborum-superficial-cranial"
IC = "ischemic-compression"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_default()


class Script:
    """Events with ids e1, e2... at the given seconds from the start."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, cls: type[Event], seconds: float, **fields: Any) -> Script:
        eid = f"e{len(self.events) + 1}"
        self.events.append(cls(event_id=eid, at=T0 + timedelta(seconds=seconds), **fields))
        return self

    def hold(self, start: float, end: float, pressure: str = "moderate", *taps: Any) -> Script:
        self(StartHold, start, technique=IC, pressure=pressure)
        for second, kind in taps:
            self(Feedback, start + second, kind=kind)
        return self(ReleaseHold, end)


def run(kb: KnowledgeBase, script: Script) -> Session:
    session, refused = replay(
        new_session(session_rules(kb), [(PIRI, "right"), (QL, "left")]), script.events
    )
    assert refused == ()
    return session


def test_the_note_says_point_by_point_what_was_done_and_measured(kb: KnowledgeBase):
    script = Script()(StartSession, 0)(PainNow, 1, when="start", value=6)(
        GoToPoint, 2, trigger_point=PIRI, side="right"
    )(Tenderness, 3, when="before", value=7, ppt=2.5)
    script.hold(10, 30, "moderate", (4, "referral-reproduced"), (9, "too-much"))
    script.hold(40, 65, "moderate")
    script.hold(70, 100, "moderate", (20, "released"))
    script(Tenderness, 101, when="after", value=3, ppt=4.0)
    script(SkipPoint, 102, trigger_point=QL, side="left", reason="client asked to stop")
    script(PainNow, 110, when="end", value=3)(EndSession, 111)
    note = session_note(kb, session_record(run(kb, script)))
    assert note.objective == (
        "Right piriformis, medial: ischemic compression, 3 holds of 20\u201330 s, moderate "
        "pressure, released on the third; tenderness 7 \u2192 3; pressure pain threshold "
        "2.5 \u2192 4.0 kg/cm²; referral reproduced; client reported too much.",
        "Skipped - Left quadratus lumborum, superficial cranial: client asked to stop.",
    )
    assert note.assessment == (
        "Pain now 6/10 at the start and 3/10 at the end of the session "
        "(pain 6 \u2192 3 during the session).",
        "Tenderness measured before and after on 1 point: lower on 1.",
        "Release reported during the session on right piriformis, medial.",
    )
    words = " ".join(note.objective + note.assessment).lower()
    for claim in ("diagnos", "because", "caused", "due to", "syndrome"):
        assert claim not in words


def test_a_stopped_hold_and_a_change_of_pressure_are_said(kb: KnowledgeBase):
    script = Script()(StartSession, 0)(GoToPoint, 1, trigger_point=PIRI, side="right")
    script(StartHold, 5, technique=IC, pressure="deep")(Feedback, 12, kind="stop")
    script.hold(20, 45, "light", (3, "better"), (10, "better"))
    script(PainNow, 50, when="start", value=5)
    note = session_note(kb, session_record(run(kb, script)))
    assert note.objective == (
        "Right piriformis, medial: ischemic compression, 2 holds of 7\u201325 s, deep then "
        "light pressure, stopped at the client's request on the first; client reported "
        "feels better \u00d72.",
        "Not treated yet: Left quadratus lumborum, superficial cranial.",
    )
    assert note.assessment == (
        "Pain now 5/10 at the start of the session; not recorded at the end.",
    )


def test_repeated_too_much_in_one_hold_suggests_a_lighter_pressure(kb: KnowledgeBase):
    rule = kb.session_rules.repeated_discomfort if kb.session_rules else None
    assert rule is not None and rule.in_one_hold == 2
    script = Script()(StartSession, 0)(GoToPoint, 1, trigger_point=PIRI, side="right")
    script(StartHold, 5, technique=IC, pressure="moderate")(Feedback, 8, kind="too-much")
    once = run(kb, script)
    assert suggestion(once, rule) is None
    twice = run(kb, script(Feedback, 11, kind="worse"))
    hint = suggestion(twice, rule)
    assert hint is not None
    assert (hint.action, hint.lighter, hint.reports, hint.where) == (
        "lighter-pressure",
        "light",
        2,
        "hold",
    )
    assert hint.evidence == "expert-opinion"
    assert set(hint.sources) <= set(kb.sources)


def test_at_light_pressure_repeated_discomfort_on_the_point_suggests_another_technique(
    kb: KnowledgeBase,
):
    rule = kb.session_rules.repeated_discomfort if kb.session_rules else None
    assert rule is not None and rule.on_one_point == 3
    script = Script()(StartSession, 0)(GoToPoint, 1, trigger_point=PIRI, side="right")
    for start in (5, 40, 80):
        script.hold(start, start + 20, "light", (5, "worse"))
    hint = suggestion(run(kb, script), rule)
    assert hint is not None
    assert (hint.action, hint.lighter, hint.reports, hint.where) == (
        "another-technique",
        None,
        3,
        "point",
    )


def test_the_session_rules_cite_their_sources_and_say_the_count_is_expert_opinion(
    kb: KnowledgeBase,
):
    rules = kb.session_rules
    assert rules is not None
    assert "none gives a number" in rules.repeated_discomfort.note
    assert [(h.technique, h.pressure, h.seconds, h.sources) for h in rules.longest_hold] == [
        (IC, "deep", 60, ("hou-2002",)),
        (IC, None, 90, ("hou-2002",)),
    ]
    assert session_rules(kb).longest(IC, "moderate") == 90
    assert session_rules(kb).longest(IC, "deep") == 60
    assert session_rules(kb).longest("muscle-energy-technique", "light") == 10
    assert session_rules(kb).longest_hold["deep-gliding"] is None


def test_a_session_rule_naming_an_unknown_technique_is_a_load_error(tmp_path: Path):
    root = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_ROOT, root)
    text = (root / "session.yaml").read_text(encoding="utf-8")
    (root / "session.yaml").write_text(
        # only the first rule (longest_hold) is misspelt, so exactly one problem is named
        text.replace("technique: ischemic-compression", "technique: ischemic-compresion", 1),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeBaseError) as caught:
        load(root)
    assert [str(p) for p in caught.value.problems] == [
        "session.yaml: entry 'guided-session': field 'longest_hold[0].technique': unknown "
        "technique 'ischemic-compresion' (did you mean 'ischemic-compression'?)"
    ]


def test_the_note_says_who_stopped_each_hold(kb: KnowledgeBase):
    """The therapist's own Stop (Esc, the red button), the client saying stop (the tablet's
    "Stop" feedback) and the client's phone are three different things in the note."""
    script = Script()(StartSession, 0)(GoToPoint, 1, trigger_point=PIRI, side="right")
    script(StartHold, 5, technique=IC, pressure="moderate")(
        Feedback, 15, kind="stop", by="therapist"
    )
    script(StartHold, 20, technique=IC, pressure="moderate")(Feedback, 30, kind="stop")
    script(StartHold, 40, technique=IC, pressure="moderate")(Feedback, 52, kind="stop", by="pad")
    script(SkipPoint, 60, trigger_point=QL, side="left", reason="no time left")
    session = run(kb, script)
    assert [h.stopped_by for h in session.holds] == ["therapist", "client", "pad"]
    note = session_note(kb, session_record(session))
    assert note.objective[0] == (
        "Right piriformis, medial: ischemic compression, 3 holds of 10\u201312 s, moderate "
        "pressure, stopped by the therapist on the first, stopped at the client's request on "
        "the second, stopped by the client on their phone on the third."
    )
    one = Script()(StartSession, 0)(GoToPoint, 1, trigger_point=PIRI, side="right")
    one(StartHold, 5, technique=IC, pressure="moderate")(Feedback, 15, kind="stop", by="therapist")
    assert session_note(kb, session_record(run(kb, one))).objective[0] == (
        "Right piriformis, medial: ischemic compression, 1 hold of 10 s, moderate pressure, "
        "stopped by the therapist."
    )


def test_only_a_stop_may_be_the_therapists_own(kb: KnowledgeBase):
    script = Script()(StartSession, 0)(GoToPoint, 1, trigger_point=PIRI, side="right")
    script(StartHold, 5, technique=IC, pressure="moderate")
    session = run(kb, script)
    at = T0 + timedelta(seconds=8)
    with pytest.raises(SessionError) as refused:
        apply(session, Feedback(event_id="x", at=at, kind="too-much", by="therapist"))
    assert refused.value.field == "by"
    with pytest.raises(SessionError) as unknown:
        apply(session, Feedback(event_id="y", at=at, kind="better", by="dog"))  # type: ignore[arg-type]
    assert unknown.value.field == "by"


def test_a_threshold_measured_once_says_so_and_never_a_unit_after_not_measured(kb: KnowledgeBase):
    script = Script()(StartSession, 0)(GoToPoint, 1, trigger_point=PIRI, side="right")
    script(Tenderness, 2, when="before", value=7, ppt=4.5)
    script.hold(5, 25)
    script(Tenderness, 26, when="after", value=3)
    script(GoToPoint, 27, trigger_point=QL, side="left")(Tenderness, 28, when="before", value=5)
    script(Tenderness, 29, when="after", value=4, ppt=3.0)(EndSession, 30)
    note = session_note(kb, session_record(run(kb, script)))
    assert note.objective == (
        "Right piriformis, medial: ischemic compression, 1 hold of 20 s, moderate pressure; "
        "tenderness 7 \u2192 3; pressure pain threshold 4.5 kg/cm² before (not measured after).",
        "Left quadratus lumborum, superficial cranial: tenderness 5 \u2192 4; pressure pain "
        "threshold 3.0 kg/cm² after (not measured before).",
    )
    assert "not measured kg" not in " ".join(note.objective)


def test_an_added_point_is_marked_and_a_planned_point_never_treated_is_listed(
    kb: KnowledgeBase,
):
    gmax = "gluteus-medius-posterior"
    assert gmax in kb.trigger_points
    script = Script()(StartSession, 0)(AddPoint, 1, trigger_point=gmax, side="left")
    script(GoToPoint, 2, trigger_point=gmax, side="left")
    script.hold(5, 25)
    script(EndSession, 30)
    note = session_note(kb, session_record(run(kb, script)))
    added = note.objective[0]
    assert added.endswith(
        "(added during the session): ischemic compression, 1 hold of 20 s, moderate pressure."
    )
    assert note.objective[1] == (
        "Planned, not treated: Right piriformis, medial; "
        "Left quadratus lumborum, superficial cranial."
    )


def test_a_hold_under_a_second_is_not_counted(kb: KnowledgeBase):
    """A double Space (start, release at once) is no hold; its numbers do not shift."""
    script = Script()(StartSession, 0)(GoToPoint, 1, trigger_point=PIRI, side="right")
    script.hold(2, 2.4)
    script.hold(5, 25, "moderate", (10, "released"))
    script.hold(30, 30)
    script(SkipPoint, 40, trigger_point=QL, side="left", reason="no time left")(EndSession, 41)
    session = run(kb, script)
    assert len(session.holds) == 3
    assert session_note(kb, session_record(session)).objective[0] == (
        "Right piriformis, medial: ischemic compression, 1 hold of 20 s, moderate pressure, "
        "released."
    )


def test_the_note_covers_every_session_run_of_the_visit(kb: KnowledgeBase):
    first = Script()(StartSession, 0)(PainNow, 1, when="start", value=6)
    first(GoToPoint, 2, trigger_point=PIRI, side="right")(Tenderness, 3, when="before", value=7)
    first.hold(5, 30)
    first(Tenderness, 31, when="after", value=3)
    first(SkipPoint, 32, trigger_point=QL, side="left", reason="no time left")
    first(PainNow, 40, when="end", value=3)(EndSession, 41)
    second = Script()(StartSession, 0)(GoToPoint, 2, trigger_point=QL, side="left")
    second.hold(5, 95)
    second(SkipPoint, 96, trigger_point=PIRI, side="right", reason="treated before")
    second(EndSession, 97)
    records = [session_record(run(kb, first)), session_record(run(kb, second))]
    note = visit_note(kb, records)
    assert note.objective == (
        "Session 1 of 2:",
        "Right piriformis, medial: ischemic compression, 1 hold of 25 s, moderate pressure; "
        "tenderness 7 \u2192 3.",
        "Skipped - Left quadratus lumborum, superficial cranial: no time left.",
        "Session 2 of 2:",
        "Skipped - Right piriformis, medial: treated before.",
        "Left quadratus lumborum, superficial cranial: ischemic compression, 1 hold of 90 s, "
        "moderate pressure.",
    )
    assert note.assessment == (
        "Session 1 of 2: Pain now 6/10 at the start and 3/10 at the end of the session "
        "(pain 6 \u2192 3 during the session).",
        "Session 1 of 2: Tenderness measured before and after on 1 point: lower on 1.",
    )
    assert visit_note(kb, records[:1]) == session_note(kb, records[0])
