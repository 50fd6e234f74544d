"""Each questionnaire scored against the worked examples of its source (edge scores,
missing answers, bad answers), and the change from baseline in words."""

from __future__ import annotations

import re

import pytest

from myomap.core.kb import load_default
from myomap.core.kb.instruments import Instrument
from myomap.core.outcomes import OutcomeError, change, score


def inst(name: str) -> Instrument:
    return load_default().instruments[name]


def refused(name: str, answers: object) -> OutcomeError:
    with pytest.raises(OutcomeError) as info:
        score(inst(name), answers)  # type: ignore[arg-type]
    return info.value


# ---------------------------------------------------------------------------- NPRS


@pytest.mark.parametrize("answer", [0, 7, 10])
def test_nprs_is_the_number_given(answer):
    result = score(inst("nprs"), [answer])
    assert (result.score, result.low, result.high, result.answered) == (answer, 0, 10, 1)
    assert result.band is None and result.missing == ()


def test_nprs_refuses_eleven_and_a_blank_naming_the_item():
    error = refused("nprs", [11])
    assert error.item == "pain" and "NPRS item 1 (Pain intensity)" in str(error)
    assert "out of range" in str(error) and "0 to 10" in str(error)
    assert "an answer is required" in str(refused("nprs", [None]))
    assert "whole number" in str(refused("nprs", [6.5]))


# ---------------------------------------------------------------------------- RMDQ


def test_rmdq_counts_the_statements_ticked_from_0_to_24():
    rmdq = inst("rmdq")
    assert score(rmdq, [0] * 24).score == 0
    assert score(rmdq, [1] * 24).score == 24
    result = score(rmdq, [1, 0] * 7 + [1] * 7 + [0] * 3)
    assert (result.score, result.answered, result.items) == (14, 24, 24)


def test_rmdq_needs_every_statement_and_names_the_one_missing_or_wrong():
    error = refused("rmdq", [1] * 10)  # the command line's short list: 11-24 unanswered
    assert error.item == "s11"
    assert str(error) == "RMDQ item 11 (Statement 11): an answer is required"
    error = refused("rmdq", [1] * 13 + [2] + [0] * 10)
    assert error.item == "s14" and "expected 0 or 1" in str(error)
    assert "24 items, got 25" in str(refused("rmdq", [0] * 25))


# ----------------------------------------------------------------------------- ODI


def test_odi_all_ten_sections_is_the_total_times_two():
    odi = inst("odi")
    # Worked example: 16 points over all ten sections = 16/50 x 100 = 32%.
    result = score(odi, [3, 2, 1, 2, 2, 1, 2, 1, 1, 1])
    assert (result.score, result.band, result.answered) == (32, "moderate disability", 10)
    assert score(odi, [0] * 10).score == 0 and score(odi, [0] * 10).band == "minimal disability"
    top = score(odi, [5] * 10)
    assert (top.score, top.band) == (100, "bed-bound or exaggerating")


def test_odi_one_missing_section_divides_by_45():
    # Worked example: 16 points with one section unanswered = 16/45 x 100 = 35.6%.
    result = score(inst("odi"), [3, 2, 1, 2, 2, 1, 2, None, 2, 1])
    assert result.score == 35.6 and result.missing == ("section-8",)
    assert result.answered == 9 and result.band == "moderate disability"


def test_odi_two_missing_sections_divide_by_40_and_a_third_is_refused():
    result = score(inst("odi"), [4, None, 4, 4, 4, 4, None, 4, 4, 4])
    assert (result.score, result.band) == (80, "crippled")  # 32/40
    error = refused("odi", [4, None, 4, None, 4, 4, None, 4, 4, 4])
    assert error.item == "section-2" and "3 sections unanswered (sections 2, 4, 7)" in str(error)


def test_odi_bands_meet_at_their_published_edges():
    odi = inst("odi")
    edges = {10: "minimal disability", 11: "moderate disability", 20: "moderate disability"}
    edges |= {21: "severe disability", 30: "severe disability", 31: "crippled"}
    edges |= {40: "crippled", 41: "bed-bound or exaggerating"}
    for total, band in edges.items():
        sections = [5] * (total // 5) + [total % 5] + [0] * 10
        result = score(odi, sections[:10])
        assert (result.score, result.band) == (total * 2, band)


def test_odi_refuses_a_six():
    error = refused("odi", [1, 1, 6, 1, 1, 1, 1, 1, 1, 1])
    assert error.item == "section-3" and "ODI section 3 (Lifting): 6 is out of range" in str(error)


def test_odi_messages_say_sections_as_its_form_does_and_the_rmdq_keeps_items():
    too_few = str(refused("odi", [1, 1, 1, 1, 1, 1, 1]))
    assert too_few == (
        "ODI: 3 sections unanswered (sections 8, 9, 10); at most 2 may be left unanswered"
    )
    assert "items" not in too_few and "ODI has 10 sections, got 11 answers" in str(
        refused("odi", [0] * 11)
    )
    assert "RMDQ has 24 items, got 25 answers" in str(refused("rmdq", [0] * 25))
    psfs = str(refused("psfs", [5, 5]))
    assert (
        psfs
        == "PSFS: 2 activities answered; at least 3 are needed (activity 3 is the first unanswered)"
    )


# ---------------------------------------------------------------------------- PSFS


def test_psfs_is_the_mean_of_three_to_five_activities():
    psfs = inst("psfs")
    three = score(psfs, [3, 4, 6])
    assert (three.score, three.answered, three.missing) == (4.3, 3, ("activity-4", "activity-5"))
    assert score(psfs, [2, 4, 6, 8, 10]).score == 6
    assert score(psfs, [0] * 5).score == 0 and score(psfs, [10, 10, 10]).score == 10


def test_psfs_needs_three_activities_and_whole_numbers():
    error = refused("psfs", [5, 5])
    assert error.item == "activity-3" and "at least 3 are needed" in str(error)
    assert "whole number" in str(refused("psfs", {"activity-1": 7.5}))


# ---------------------------------------------------------------------- STarT Back


def test_startback_three_or_less_is_low_risk():
    result = score(inst("startback"), [1, 1, 1, 0, 0, 0, 0, 0, 2])  # "moderately" scores 0
    assert (result.score, result.band, result.grouping) == (3, "low", "risk")
    assert result.subscales[0].id == "psychosocial" and result.subscales[0].score == 0


def test_startback_four_or_more_with_a_subscale_of_three_or_less_is_medium_risk():
    result = score(inst("startback"), [1, 1, 0, 0, 1, 1, 0, 0, 3])  # "very much" scores 1
    assert (result.score, result.band, result.subscales[0].score) == (5, "medium", 3)


def test_startback_a_subscale_of_four_or_more_is_high_risk():
    result = score(inst("startback"), [0, 0, 0, 0, 1, 1, 1, 0, 4])
    assert (result.score, result.band, result.subscales[0].score) == (4, "high", 4)
    top = score(inst("startback"), [1] * 8 + [4])
    assert (top.score, top.band, top.subscales[0].score) == (9, "high", 5)


def test_startback_refuses_a_two_on_items_1_to_8_and_a_five_on_item_9():
    assert refused("startback", [2] + [0] * 8).item == "item-1"
    error = refused("startback", [0] * 8 + [5])
    assert error.item == "item-9" and "0, 1, 2, 3 or 4" in str(error)


# ----------------------------------------------------------------------------- PEG


def test_peg_is_the_mean_of_its_three_items():
    peg = inst("peg")
    assert score(peg, [5, 5, 5]).score == 5
    assert score(peg, [7, 6, 4]).score == 5.7
    assert score(peg, [0, 0, 0]).score == 0 and score(peg, [10, 10, 10]).score == 10
    by_id = score(peg, {"pain": 8, "enjoyment": 4, "activity": 6})
    assert by_id.score == 6


def test_peg_needs_all_three():
    error = refused("peg", [5, None, 5])
    assert error.item == "enjoyment" and "Interference with enjoyment of life" in str(error)
    assert "no item 'mood'" in str(refused("peg", {"mood": 3}))


# -------------------------------------------------------------------------- change

CAUSAL = re.compile(r"because|due to|thanks|treatment|therapy|caused|result of", re.I)


def test_rmdq_14_to_8_improved_by_more_than_the_minimal_important_change():
    rmdq = inst("rmdq")
    moved = change(rmdq, score(rmdq, [1] * 14 + [0] * 10), score(rmdq, [1] * 8 + [0] * 16))
    assert moved.sentence == (
        "RMDQ 14 → 8: improved by more than the minimal important change "
        "(6 points, 43%: past the 5 points and the 30%)"
    )
    assert (moved.absolute, moved.percent, moved.direction, moved.passes) == (
        -6,
        -42.9,
        "improved",
        True,
    )


def test_a_small_improvement_falls_short_and_says_of_what():
    nprs = inst("nprs")
    moved = change(nprs, score(nprs, [8]), score(nprs, [7]))
    assert moved.passes is False and moved.direction == "improved"
    assert moved.sentence == (
        "NPRS 8 → 7: improved by 1 point (13%), less than the minimal important change "
        "(2 points or 30%)"
    )


def test_thirty_percent_passes_even_below_the_points():
    rmdq = inst("rmdq")
    moved = change(rmdq, score(rmdq, [1] * 10 + [0] * 14), score(rmdq, [1] * 7 + [0] * 17))
    assert moved.passes is True
    assert "by the minimal important change (3 points, 30%: at the 30%)" in moved.sentence


def test_a_worse_odi_says_worse_and_the_band_it_moved_to():
    odi = inst("odi")
    moved = change(odi, score(odi, [1] * 10), score(odi, [3] * 10))
    assert moved.passes is False and moved.direction == "worse"
    assert moved.sentence == (
        "ODI 20 → 60: worse by more than the minimal important change "
        "(40 points, 200%: past the 10 points); "
        "band minimal disability → severe disability"
    )


def test_psfs_is_better_when_higher_and_measured_against_the_detectable_change():
    psfs = inst("psfs")
    moved = change(psfs, score(psfs, [2, 3, 4]), score(psfs, [5, 6, 7]))
    assert moved.direction == "improved" and moved.passes is True
    assert (
        "improved by more than the minimal detectable change (3 points, 100%: past the 2 points)"
        in moved.sentence
    )


def test_a_psfs_change_is_computed_from_the_unrounded_means_and_shown_rounded():
    psfs = inst("psfs")
    before, after = score(psfs, [3, 3, 4]), score(psfs, [6, 6, 6])  # 3.33... -> 6
    assert (before.score, before.unrounded, after.unrounded) == (3.3, 10 / 3, None)
    moved = change(psfs, before, after)
    # 2.67 points of 3.33 is 80%; the rounded 2.7 of 3.3 would say 82%
    assert (moved.absolute, moved.percent) == (2.7, 80.0)
    assert moved.sentence.startswith("PSFS 3.3 → 6: improved by more than")
    assert "(2.7 points, 80%: past the 2 points)" in moved.sentence
    assert moved.as_json()["percent"] == 80.0


def test_two_psfs_means_shown_alike_are_no_change_and_the_points_add_up():
    psfs = inst("psfs")
    # 5.33... and 5.25 are both shown 5.3: no change, though the means differ by 0.08
    same = change(psfs, score(psfs, [0, 6, 10]), score(psfs, [0, 1, 10, 10]))
    assert same.sentence == "PSFS 5.3 → 5.3: no change" and same.absolute == 0
    # 3.25 (shown 3.3) to 3.4: 0.1 points, as the scores shown say, not the 0.15 rounded up
    up = change(psfs, score(psfs, [3, 3, 3, 4]), score(psfs, [3, 3, 3, 4, 4]))
    assert (up.absolute, up.percent) == (0.1, 4.6)
    assert up.sentence.startswith("PSFS 3.3 → 3.4: improved by 0.1 points (5%)")


def test_a_stored_psfs_score_gives_back_its_unrounded_mean():
    from myomap.core.outcomes import unrounded

    psfs = inst("psfs")
    assert unrounded(psfs, [3, 3, 4, None, None], 3.3) == 10 / 3
    assert unrounded(psfs, [2, 4, 6, None, None], 4.0) is None  # exact already
    assert unrounded(psfs, [3, 3, 4, None, None], 5.0) is None  # not these answers' score


def test_startback_has_no_threshold_and_reports_the_change_of_risk_group():
    sb = inst("startback")
    moved = change(sb, score(sb, [1] * 8 + [4]), score(sb, [1, 1, 0, 0, 0, 0, 0, 0, 0]))
    assert moved.passes is None
    assert moved.sentence == (
        "STarT Back 9 → 2: 7 points lower (78%), better; no minimal important change is set "
        "for STarT Back; risk high → low"
    )


def test_a_worsening_is_judged_by_its_points_where_the_percent_is_an_improvement_threshold():
    """Ostelo 2008's 30% is an improvement from baseline: NPRS 2 -> 3 (50% higher) is a
    one-point wobble, less than the 2 points that count."""
    nprs = inst("nprs")
    moved = change(nprs, score(nprs, [2]), score(nprs, [3]))
    assert (moved.direction, moved.passes, moved.reaches_threshold) == ("worse", False, False)
    assert moved.sentence == (
        "NPRS 2 → 3: worse by 1 point (50%), less than the minimal important change (2 points)"
    )
    # the same percent down is still an improvement that counts
    assert change(nprs, score(nprs, [3]), score(nprs, [2])).passes is True


def test_a_baseline_past_the_floor_or_ceiling_is_said_to_be():
    rmdq = inst("rmdq")
    low = change(rmdq, score(rmdq, [1] * 3 + [0] * 21), score(rmdq, [1] * 2 + [0] * 22))
    assert low.sentence.endswith(
        "; the baseline is below the RMDQ's floor of 4, where the scale has little room to "
        "show change"
    )
    high = change(rmdq, score(rmdq, [1] * 22 + [0] * 2), score(rmdq, [1] * 21 + [0] * 3))
    assert "above the RMDQ's ceiling of 20" in high.sentence
    middle = change(rmdq, score(rmdq, [1] * 14 + [0] * 10), score(rmdq, [1] * 8 + [0] * 16))
    assert "floor" not in middle.sentence and "ceiling" not in middle.sentence


def test_no_change_and_a_zero_baseline():
    peg = inst("peg")
    same = change(peg, score(peg, [4, 4, 4]), score(peg, [4, 4, 4]))
    assert same.sentence == "PEG 4 → 4: no change" and same.direction == "unchanged"
    nprs = inst("nprs")
    up = change(nprs, score(nprs, [0]), score(nprs, [3]))
    assert up.percent is None and up.sentence == (
        "NPRS 0 → 3: worse by more than the minimal important change (3 points: past the 2 points)"
    )


def test_no_sentence_claims_a_cause():
    rmdq = inst("rmdq")
    for before, after in [(20, 2), (2, 20), (10, 9), (5, 5)]:
        moved = change(
            rmdq,
            score(rmdq, [1] * before + [0] * (24 - before)),
            score(rmdq, [1] * after + [0] * (24 - after)),
        )
        assert not CAUSAL.search(moved.sentence)


def test_scores_of_another_instrument_are_refused():
    with pytest.raises(OutcomeError, match="NPRS, not RMDQ"):
        change(inst("rmdq"), score(inst("nprs"), [3]), score(inst("nprs"), [2]))


def test_the_same_startback_total_in_another_risk_group_says_so():
    sb = inst("startback")
    moved = change(
        sb, score(sb, [0, 0, 0, 1, 1, 1, 1, 1, 0]), score(sb, [0, 0, 1, 1, 0, 0, 1, 1, 3])
    )
    assert moved.direction == "unchanged"
    assert moved.sentence == "STarT Back 5 → 5: no change in the score; risk high → medium"


def test_a_change_that_passes_says_which_criterion_it_passed():
    # A threshold of "5 points or 30%": 4 points past the 30% must not read as 4 > 5.
    rmdq = inst("rmdq")
    twelve, eight = score(rmdq, [1] * 12 + [0] * 12), score(rmdq, [1] * 8 + [0] * 16)
    assert change(rmdq, twelve, eight).sentence == (
        "RMDQ 12 → 8: improved by more than the minimal important change "
        "(4 points, 33%: past the 30%)"
    )
    fourteen = score(rmdq, [1] * 14 + [0] * 10)
    assert change(rmdq, fourteen, eight).sentence == (
        "RMDQ 14 → 8: improved by more than the minimal important change "
        "(6 points, 43%: past the 5 points and the 30%)"
    )
    nprs = inst("nprs")
    assert change(nprs, score(nprs, [10]), score(nprs, [8])).sentence == (
        "NPRS 10 → 8: improved by the minimal important change (2 points, 20%: at the 2 points)"
    )
