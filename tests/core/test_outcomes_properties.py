"""Properties of outcome scoring over any valid answers: scores stay in range, every
achievable score has its band or risk group, the ODI with missing sections follows the
published rule, and the change's words agree with its direction."""

from __future__ import annotations

import itertools
import re
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from myomap.core.kb import load_default
from myomap.core.kb.instruments import Instrument
from myomap.core.outcomes import change, score

KB = load_default()
NAMES = sorted(KB.instruments)


@st.composite
def answer_sets(draw: st.DrawFn, instrument: Instrument) -> list[int | None]:
    """Valid answers: every item answered, then up to the allowed number left blank."""
    answers: list[int | None] = [
        draw(st.sampled_from(instrument.scale_of(item).values())) for item in instrument.items
    ]
    optional = [i for i, item in enumerate(instrument.items) if not item.required]
    scoring = instrument.scoring
    most = min(
        scoring.max_missing,
        len(optional),
        len(answers) - (scoring.min_answered or 1),
    )
    if most > 0:
        for index in draw(st.lists(st.sampled_from(optional), max_size=most, unique=True)):
            answers[index] = None
    return answers


@st.composite
def scored(draw: st.DrawFn) -> tuple[Instrument, list[int | None]]:
    instrument = KB.instruments[draw(st.sampled_from(NAMES))]
    return instrument, draw(answer_sets(instrument))


@settings(max_examples=300, deadline=None)
@given(scored())
def test_every_score_stays_in_its_range_and_counts_its_answers(case):
    instrument, answers = case
    result = score(instrument, answers)
    assert instrument.range.low <= result.score <= instrument.range.high
    assert result.answered == sum(a is not None for a in answers)
    assert len(result.missing) == len(answers) - result.answered
    for sub in result.subscales:
        assert sub.low <= sub.score <= sub.high and sub.score <= result.score
    if instrument.grouping is not None:
        assert result.band in {b.label for b in instrument.bands}


def test_every_achievable_odi_and_startback_score_has_exactly_one_band():
    odi = KB.instruments["odi"]
    for answered in range(10 - odi.scoring.max_missing, 11):
        for total in range(5 * answered + 1):
            sections = ([5] * (total // 5) + [total % 5] + [0] * 10)[:answered]
            result = score(odi, sections + [None] * (10 - answered))
            matching = [b for b in odi.bands if b.score and b.score.holds(result.score)]
            assert len(matching) == 1, (answered, total, result.score)
    startback = KB.instruments["startback"]
    for answers in itertools.product([0, 1], repeat=8):
        for item9 in range(5):
            result = score(startback, [*answers, item9])
            subscale = {"psychosocial": result.subscales[0].score}
            matching = [
                b.label
                for b in startback.bands
                if (b.score is None or b.score.holds(result.score))
                and all(i.holds(subscale[s]) for s, i in b.subscales.items())
            ]
            assert matching == [result.band]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 5), min_size=10, max_size=10),
    st.lists(st.integers(0, 9), max_size=2, unique=True),
)
def test_odi_with_missing_sections_is_total_over_five_times_answered(sections, blank):
    answers: list[int | None] = list(sections)
    for index in blank:
        answers[index] = None
    answered = [a for a in answers if a is not None]
    published = Decimal(sum(answered)) / (5 * len(answered)) * 100
    expected = float(published.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    assert score(KB.instruments["odi"], answers).score == expected


CAUSAL = re.compile(r"because|due to|thanks|treatment|therapy|caused", re.I)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_the_change_sentence_agrees_with_its_direction(data):
    instrument = KB.instruments[data.draw(st.sampled_from(NAMES))]
    before = score(instrument, data.draw(answer_sets(instrument)))
    after = score(instrument, data.draw(answer_sets(instrument)))
    moved = change(instrument, before, after)
    text = moved.sentence.split(": ", 1)[1]
    better = after.score < before.score
    if instrument.direction == "higher-is-better":
        better = after.score > before.score
    if after.score == before.score:
        assert moved.direction == "unchanged" and moved.passes is not True
        # (and the caveat of a baseline past the scale's floor or ceiling, if it is)
        text = text.split("; the baseline is ")[0]
        assert text == "no change" or text.startswith("no change in the score; risk")
    elif better:
        assert moved.direction == "improved"
        assert text.startswith("improved") or ", better;" in text
    else:
        assert moved.direction == "worse" and moved.passes is not True
        assert text.startswith("worse") or ", worse;" in text
    if moved.passes:
        assert "more than the minimal" in text or "by the minimal" in text
    assert not CAUSAL.search(moved.sentence)
