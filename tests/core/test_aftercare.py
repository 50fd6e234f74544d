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


def test_the_rebooking_day_is_a_day_before_the_median_relief_within_the_range() -> None:
    from myomap.core.aftercare import suggest_rebooking

    three = [Relief(6, False), Relief(8, False), Relief(7, False)]
    assert suggest_rebooking(three, 4, 14, 7).day == 6
    # One odd session does not move it far; a relief not yet over does not count.
    odd = [Relief(6, False), Relief(30, False), Relief(7, False), Relief(14, True)]
    assert suggest_rebooking(odd, 4, 14, 7).day == 6
    assert suggest_rebooking([Relief(3, False)], 4, 14, 7).day == 4  # not before the range
    assert suggest_rebooking([Relief(14, True)], 4, 14, 7).day == 7  # nothing ended yet
