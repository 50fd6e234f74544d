"""The closed vocabularies of the records, in one place. Django choices, API schemas and
the core's checks are all derived from these, so a new value is added here once.

Each vocabulary is a `Literal` type (for mypy and the API's OpenAPI description) and the
tuple of its values in display order (for loops, checks and choices)."""

from __future__ import annotations

from typing import Literal, get_args

PointSide = Literal["left", "right", "bilateral", "midline"]
POINT_SIDES: tuple[PointSide, ...] = get_args(PointSide)
SIDE_WORDS: dict[str, str] = {
    "left": "Left",
    "right": "Right",
    "bilateral": "Both sides",
    "midline": "Midline",
}

# A posture or movement test is on one side, or on both / neither ("").
TestSide = Literal["", "left", "right"]
TEST_SIDES: tuple[TestSide, ...] = get_args(TestSide)
TEST_SIDE_WORDS: dict[str, str] = {"": "Both / none", "left": "Left", "right": "Right"}

TestResult = Literal["positive", "negative"]
TEST_RESULTS: tuple[TestResult, ...] = get_args(TestResult)

Pressure = Literal["light", "moderate", "deep"]
PRESSURES: tuple[Pressure, ...] = get_args(Pressure)
PRESSURE_RANK: dict[str, int] = {"none": 0, "light": 1, "moderate": 2, "deep": 3}

# The scales a palpation finding is recorded on: tenderness 0 (none) to 10, and the
# algometer's pressure pain threshold in kg/cm² (hand algometers read 0-20).
TENDER_SCALE = (0, 10)
PPT_RANGE = (0.0, 20.0)


def on_tender_scale(value: int | None) -> bool:
    """None (not recorded) or a whole number on the tenderness scale."""
    return value is None or TENDER_SCALE[0] <= value <= TENDER_SCALE[1]


Urgency = Literal["emergency", "urgent", "routine"]
URGENCIES: tuple[Urgency, ...] = get_args(Urgency)
URGENCY_WORDS: dict[str, str] = {
    "emergency": "emergency referral",
    "urgent": "urgent referral",
    "routine": "non-urgent check",
}

Level = Literal["postpone", "no-deep-pressure", "ask-doctor", "avoid-locally", "precaution"]
LEVELS: tuple[Level, ...] = get_args(Level)
LEVEL_WORDS: dict[str, str] = {
    "postpone": "postpone the session",
    "no-deep-pressure": "no deep pressure",
    "ask-doctor": "ask the client's doctor first",
    "avoid-locally": "avoid the affected area",
    "precaution": "precaution",
}

Effect = Literal["removed", "modified"]
EFFECTS: tuple[Effect, ...] = get_args(Effect)


def choices(values: tuple[str, ...], words: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """Django-style (value, label) pairs for a vocabulary."""
    return [(v, (words or {}).get(v, v.replace("-", " ").capitalize())) for v in values]
