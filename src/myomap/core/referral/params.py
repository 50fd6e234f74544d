"""The numbers of the referral model, in one place, each with its reason.

The model (docs/reasoning.md) adds log-likelihood ratios: how much more likely the drawing
is if a trigger point is active than if it is not. These values are judgement, not
fitted: no published data set pairs pain drawings with examined trigger points. They
are chosen so that the orderings the clinical literature describes hold (essential over
spillover, specific over broad, a reproduced referral over everything else) and are
checked by the vignette evaluation.
"""

from __future__ import annotations

import math

# P(region drawn | trigger point active), by zone kind, and P(region drawn | not active).
P_ESSENTIAL = 0.70  # the essential zone is where nearly everyone with the point feels it
P_SPILLOVER = 0.30  # the spillover zone is felt by some
P_LOCAL = 0.30  # pain at the point's own site, beside its referral (Travell & Simons)
P_BACKGROUND = 0.05  # any one region is drawn by a few people for other reasons


def _log_ratio(p_active: float, p_inactive: float) -> float:
    return math.log(p_active / p_inactive)


# A painful region inside the pattern: evidence for the point.
PAINFUL_ESSENTIAL = _log_ratio(P_ESSENTIAL, P_BACKGROUND)  # +2.64
PAINFUL_SPILLOVER = _log_ratio(P_SPILLOVER, P_BACKGROUND)  # +1.79
PAINFUL_LOCAL = _log_ratio(P_LOCAL, P_BACKGROUND)  # +1.79
# A pain-free region inside the pattern: evidence against it (specificity).
FREE_ESSENTIAL = _log_ratio(1 - P_ESSENTIAL, 1 - P_BACKGROUND)  # -1.15
FREE_SPILLOVER = _log_ratio(1 - P_SPILLOVER, 1 - P_BACKGROUND)  # -0.31
FREE_LOCAL = _log_ratio(1 - P_LOCAL, 1 - P_BACKGROUND)  # -0.31
# A painful region outside the pattern: no evidence either way. Low back pain is usually a
# composite of several muscles' patterns, so another point may explain it.

# Intensity 1..10 scales the evidence of a painful region from 0.64 to 1.0: a faint
# mark counts, a severe one counts fully.
INTENSITY_FLOOR = 0.6
INTENSITY_SLOPE = (1.0 - INTENSITY_FLOOR) / 10  # weight = FLOOR + SLOPE * intensity


# Prior: the share of people with low back pain who have an active point in the muscle
# (midpoint of the review's range), shared out among the muscle's points (compiled.py);
# each point of a muscle without a published figure gets this.
DEFAULT_PREVALENCE = 0.08
# How far a published prevalence moves a prior away from the default, on the log-odds
# scale: the review rates its nine studies' quality low, so only half way.
PRIOR_SHRINK = 0.5

# A pattern that sources describe weakly or inconsistently moves the ranking less.
CONFIDENCE_WEIGHT = {"high": 1.0, "moderate": 0.85, "low": 0.7}

# Examination findings, as log-likelihood ratios added to the palpated point.
FINDING_WEIGHT = {
    # Compression reproduces the client's familiar pain: the strongest single criterion.
    "referral": 3.0,
    "tender": 1.0,
    "taut-band": 0.5,
    "twitch": 0.7,
    "jump": 0.3,
    # Palpated and not tender: an active point is very unlikely there.
    "not-tender": -3.0,
}
# A movement or special test that implicates the muscle, on that side.
TEST_POSITIVE = 0.7
TEST_NEGATIVE = -0.4

TRIGGER_POINT_RESULTS = frozenset(FINDING_WEIGHT)
TEST_RESULTS = frozenset({"positive", "negative"})
