"""Relief followed day by day (myomap.core.aftercare): the days asked, nothing after the
pain is back, and how long the relief lasted in words."""

from __future__ import annotations

from myomap.core.aftercare import Relief, lasted, next_day
from myomap.core.kb import load_default

SCHEDULE = (4, 7, 10, 14)


def test_the_schedule_comes_from_the_knowledge_base_with_its_sources() -> None:
    care = load_default().aftercare
    assert care is not None and care.relief_check_days is not None
    assert care.relief_check_days.days == SCHEDULE
    assert care.relief_check_days.sources


def test_the_days_are_asked_in_order_and_end_after_the_last() -> None:
    assert [next_day(SCHEDULE, d) for d in (None, 4, 5, 7, 10, 14)] == [4, 7, 7, 10, 14, None]


def test_relief_ends_on_the_first_day_the_pain_is_back() -> None:
    assert lasted(SCHEDULE, [(7, True), (4, False)]) == Relief(7, at_least=False)
    assert lasted(SCHEDULE, [(4, True)]).words() == "relief lasted 4 days"


def test_relief_not_yet_over_is_at_least_the_last_day_answered() -> None:
    assert lasted(SCHEDULE, [(4, False), (7, False)]) == Relief(7, at_least=True)
    assert lasted(SCHEDULE, []) is None
