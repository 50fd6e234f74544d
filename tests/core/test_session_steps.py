"""The pressure steps of a stepped hold: a planned hold split into the knowledge base's
number of equal steps, each step's start in whole seconds, from session.yaml with its
sources; a technique without steps has none."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from myomap.core.kb import load_default
from myomap.core.session.steps import hold_steps, step_seconds


def test_a_twenty_second_hold_in_three_steps_is_cued_at_7_and_13_seconds() -> None:
    assert step_seconds(20, 3) == (7, 13)
    assert step_seconds(30, 3) == (10, 20)
    assert step_seconds(10, 2) == (5,)


def test_no_steps_without_two_steps_or_planned_seconds() -> None:
    assert step_seconds(20, 1) == ()
    assert step_seconds(0, 3) == ()
    assert step_seconds(1, 3) == ()  # no whole second strictly inside a 1 s hold


@given(st.integers(min_value=0, max_value=600), st.integers(min_value=0, max_value=10))
def test_steps_are_inside_the_hold_in_order(planned: int, steps: int) -> None:
    starts = step_seconds(planned, steps)
    assert list(starts) == sorted(set(starts))
    assert all(0 < s < planned for s in starts)
    assert len(starts) <= max(0, steps - 1)
    if planned >= 2 * steps >= 4:
        assert len(starts) == steps - 1


def test_ischemic_compression_steps_come_from_the_knowledge_base_with_sources() -> None:
    kb = load_default()
    steps = hold_steps(kb, "ischemic-compression", 20)
    assert steps is not None
    assert steps.seconds == (7, 13) and steps.steps == 3
    assert "szajkowski-2025" in steps.sources
    assert all(source in kb.sources for source in steps.sources)
    assert "Myomap's rule" in steps.note


def test_a_technique_without_steps_has_none() -> None:
    kb = load_default()
    assert hold_steps(kb, "positional-release", 90) is None
    assert hold_steps(kb, "ischemic-compression", 1) is None
