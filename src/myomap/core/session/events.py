"""The events of a guided session, as the device makes them.

Every event has an `event_id` made on the device (a repeated id is recorded once), the
device's time `at` (an aware datetime) and, once the server has it, `received` (the
server's time; kept for audit and latency, never used by the rules). Point-bound events
(tenderness, holds, feedback) apply to the current point, chosen with `GoToPoint`;
`SkipPoint` and `AddPoint` name their point.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from myomap.core.vocab import PointSide, Pressure

FeedbackKind = Literal[
    "too-much", "too-little", "better", "worse", "released", "referral-reproduced", "stop"
]
FEEDBACK: tuple[FeedbackKind, ...] = get_args(FeedbackKind)
# Each feedback, in the buttons' order: its label on the buttons (the runner's and the
# client's pad; the runner's list of holds and the pages' help say it in lower case) and
# its words in the note. The one place they are written.
FEEDBACK_LABELS: dict[FeedbackKind, tuple[str, str]] = {
    "too-much": ("Too much", "too much"),
    "too-little": ("Too little", "too little"),
    "better": ("Better", "feels better"),
    "worse": ("Worse", "feels worse"),
    "released": ("Released", "released"),
    "referral-reproduced": ("Referral reproduced", "referral reproduced"),
    "stop": ("Stop", "stop"),
}
FEEDBACK_BUTTONS: tuple[tuple[FeedbackKind, str], ...] = tuple(
    (kind, label) for kind, (label, _) in FEEDBACK_LABELS.items()
)
FEEDBACK_WORDS: dict[str, str] = {kind: words for kind, (_, words) in FEEDBACK_LABELS.items()}
# The runner's buttons say the same, but the client's stop in the therapist's words, so it
# is never mistaken for the therapist's own Stop beside the timer (a stop by "therapist").
RUNNER_BUTTONS: tuple[tuple[FeedbackKind, str], ...] = tuple(
    (kind, "Client said stop" if kind == "stop" else label) for kind, label in FEEDBACK_BUTTONS
)
# The client's taps on their own phone that call for the therapist's eyes at once, and
# what the runner's banner says of each (the page's script only shows these words).
PAD_ALERTS: dict[FeedbackKind, str] = {
    "stop": "The client tapped STOP on their phone: the hold has stopped.",
    "too-much": "The client's phone: TOO MUCH. Ease the pressure.",
    "worse": "The client's phone: feels WORSE. Ease off or change the technique.",
}
# Who a feedback came from: the client, said aloud and tapped by the therapist on the
# tablet ("client"); the client on their own phone ("pad", set by the server for the pad's
# taps only); or, for a stop only, the therapist's own Stop ("therapist").
FeedbackBy = Literal["client", "pad", "therapist"]
FEEDBACK_BY: tuple[FeedbackBy, ...] = get_args(FeedbackBy)
PainWhen = Literal["start", "end"]
MeasureWhen = Literal["before", "after"]


@dataclass(frozen=True, kw_only=True)
class Event:
    event_id: str
    at: datetime
    received: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class StartSession(Event):
    pass


@dataclass(frozen=True, kw_only=True)
class PainNow(Event):
    """Pain now, 0-10, at the start or the end of the session."""

    when: PainWhen
    value: int


@dataclass(frozen=True, kw_only=True)
class GoToPoint(Event):
    trigger_point: str
    side: PointSide


@dataclass(frozen=True, kw_only=True)
class Tenderness(Event):
    """The current point's tenderness 0-10 before or after treatment, with the pressure
    pain threshold in kg/cm² when an algometer is used."""

    when: MeasureWhen
    value: int
    ppt: float | None = None


@dataclass(frozen=True, kw_only=True)
class StartHold(Event):
    technique: str
    pressure: Pressure


@dataclass(frozen=True, kw_only=True)
class Feedback(Event):
    """One tap: stamped with the second of the hold its device time falls in; `by` says
    who it came from (a stop by the therapist is their own, not the client's)."""

    kind: FeedbackKind
    by: FeedbackBy = "client"


@dataclass(frozen=True, kw_only=True)
class ReleaseHold(Event):
    pass


@dataclass(frozen=True, kw_only=True)
class SkipPoint(Event):
    trigger_point: str
    side: PointSide
    reason: str


@dataclass(frozen=True, kw_only=True)
class AddPoint(Event):
    """An unplanned point found on the way; it must be added before going to it."""

    trigger_point: str
    side: PointSide


@dataclass(frozen=True, kw_only=True)
class EndSession(Event):
    pass
