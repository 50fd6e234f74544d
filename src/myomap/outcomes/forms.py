"""The entry form of one questionnaire, built from its knowledge-base entry: one field per
item, named by the item's id. The form only parses; whether the answers can be scored
(required items, how many may be blank) is the core's to say, through the action, so the
page and the API refuse the same answers with the same words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from django import forms
from django.utils import timezone

from myomap.core.kb.instruments import Instrument, Item
from myomap.core.outcomes.answers import count_of, item_name
from myomap.core.outcomes.wording import Wording, answer_values
from myomap.outcomes.actions import MAX_ACTIVITY, MAX_EVERY_NTH, MAX_REASON
from myomap.records.forms import PlainTextForm

Widget = Literal["check", "radio", "select"]


def widget_of(instrument: Instrument, item: Item, wording: Wording | None = None) -> Widget:
    """A yes/no statement list (RMDQ: one two-answer scale) is ticked; other answers with
    words (the knowledge base's, or the clinic's licensed statements) are radio buttons; a
    number scale is a list to choose from."""
    scale = instrument.scale_of(item)
    if len(instrument.scales) == 1 and len(scale.options) == 2:
        return "check"
    worded = wording is not None and bool(wording.items[item.id].answers)
    return "radio" if scale.options or worded else "select"


def activity_name(item: Item) -> str:
    return f"{item.id}-activity"


def has_activities(instrument: Instrument) -> bool:
    """PSFS: the client names each activity in their own words."""
    return any(item.named_by_client for item in instrument.items)


class ResponseForm(PlainTextForm):
    visit = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    taken_on = forms.DateField(
        label="Answered on (leave blank for today)",
        required=False,
        # a date input takes ISO dates only (a localised value shows as blank)
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(
        self, instrument: Instrument, *args: Any, wording: Wording | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.wording = wording
        for item in instrument.items:
            self.fields[item.id] = _field(instrument, item, wording)
            if has_activities(instrument):
                self.fields[activity_name(item)] = forms.CharField(
                    label=f"Activity {item.number}", required=False, max_length=MAX_ACTIVITY
                )

    def taken_at(self) -> dt.datetime | None:
        """When a paper form was filled in: midday of the day given, in the clinic's
        time; None (now) when left blank or today."""
        day = self.cleaned_data.get("taken_on")
        if day is None or day == timezone.localdate():
            return None
        return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))

    def answers(self) -> list[int | None]:
        data = self.cleaned_data
        return [data.get(item.id) for item in self.instrument.items]

    def activities(self) -> list[str]:
        if not has_activities(self.instrument):
            return []
        return [self.cleaned_data.get(activity_name(i)) or "" for i in self.instrument.items]


class ClientResponseForm(ResponseForm):
    """The entry form as the client answers it on their phone: every item a list of
    choices to tap (a number scale too), no visit and no day (answered now)."""

    def __init__(self, instrument: Instrument, *args: Any, **kwargs: Any) -> None:
        super().__init__(instrument, *args, **kwargs)
        del self.fields["visit"], self.fields["taken_on"]
        for item in instrument.items:
            field = self.fields[item.id]
            if isinstance(field, forms.TypedChoiceField) and not isinstance(
                field.widget, forms.RadioSelect
            ):
                given: list[tuple[Any, Any]] = list(field.choices)  # type: ignore[arg-type]
                field.choices = [c for c in given if c[0] != ""]
                field.widget = forms.RadioSelect(choices=field.choices)

    def taken_at(self) -> dt.datetime | None:
        return None


class CorrectionForm(ResponseForm):
    """The entry form, filled in with the response being corrected, and why."""

    reason = forms.CharField(
        label="Why it is corrected (kept with the voided response)",
        max_length=MAX_REASON,
        required=False,  # a blank one is refused by the action, saying what to write
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def taken_at(self) -> dt.datetime | None:
        """None (the response's own time) when the day is left blank or sent back as the
        form showed it; now when it is changed to today (not the response's old day);
        else midday of the day given."""
        day = self.cleaned_data.get("taken_on")
        if day is None or day == self.initial.get("taken_on"):
            return None
        if day == timezone.localdate():
            return timezone.now()
        return super().taken_at()


class VoidForm(PlainTextForm):
    reason = forms.CharField(
        label="Why it is voided (kept with it: entered in error, for the wrong client, ...)",
        max_length=MAX_REASON,
        required=False,  # a blank one is refused by the action, saying what to write
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def same_activities(instrument: Instrument, baseline: Any) -> dict[str, str]:
    """The activities the client named at the episode's baseline (a `queries.Point`), to
    be rated again: the PSFS compares each activity only with itself."""
    if baseline is None or not has_activities(instrument):
        return {}
    names = [name for name, _ in baseline.activities]
    return {activity_name(item): name for item, name in zip(instrument.items, names, strict=False)}


def initial_of(instrument: Instrument, response: Any) -> dict[str, Any]:
    """The entry form's fields as the response was entered (a `QuestionnaireResponse`)."""
    initial: dict[str, Any] = {}
    for index, item in enumerate(instrument.items):
        answer = response.answers[index] if index < len(response.answers) else None
        checked = widget_of(instrument, item) == "check"
        initial[item.id] = bool(answer) if checked else answer
        if has_activities(instrument) and index < len(response.activities):
            initial[activity_name(item)] = response.activities[index]
    initial["taken_on"] = timezone.localdate(response.taken_at)
    return initial


class _Ticked(forms.BooleanField):
    def to_python(self, value: Any) -> int:  # type: ignore[override]
        return 1 if super().to_python(value) else 0


def _field(instrument: Instrument, item: Item, wording: Wording | None) -> forms.Field:
    scale = instrument.scale_of(item)
    kind = widget_of(instrument, item, wording)
    worded = wording.items[item.id] if wording is not None else None
    label = f"{item.number}. {worded.text if worded else item.label}"
    if kind == "check":
        return _Ticked(label=label, required=False)
    if kind == "radio":
        if worded is not None and worded.answers:
            values = answer_values(instrument, item)
            choices = [(v, f"{v}: {text}") for v, text in zip(values, worded.answers, strict=True)]
        else:
            choices = [(o.value, o.label) for o in scale.options]
        return forms.TypedChoiceField(
            label=label,
            choices=choices,
            coerce=int,
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
            error_messages=_not_an_answer(instrument, item),
        )
    numbers = [(v, str(v)) for v in scale.values()]
    low, high = scale.values()[0], scale.values()[-1]
    if scale.low_label:
        numbers[0] = (low, f"{low} ({scale.low_label})")
    if scale.high_label:
        numbers[-1] = (high, f"{high} ({scale.high_label})")
    return forms.TypedChoiceField(
        label=label,
        choices=[("", "—"), *numbers],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages=_not_an_answer(instrument, item),
    )


def _not_an_answer(instrument: Instrument, item: Item) -> dict[str, str]:
    """The refusal of a value the item does not take, naming the item as the core does."""
    values = [str(v) for v in answer_values(instrument, item)]
    span = f"{values[0]} to {values[-1]}" if values else "its answers"
    return {
        "invalid_choice": f"{item_name(instrument, item)}: %(value)s is not an answer "
        f"(it takes {span})"
    }


@dataclass(frozen=True)
class Row:
    """One item as the page lays it out."""

    item: Item
    field: forms.BoundField
    activity: forms.BoundField | None
    widget: Widget


def rows(form: ResponseForm) -> list[Row]:
    instrument = form.instrument
    return [
        Row(
            item,
            form[item.id],
            form[activity_name(item)] if has_activities(instrument) else None,
            widget_of(instrument, item, form.wording),
        )
        for item in instrument.items
    ]


class ScheduleForm(PlainTextForm):
    """The clinic's schedule: four fields per instrument, named `<id>-<when>`."""

    def __init__(self, instruments: list[Instrument], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instruments = instruments
        for inst in instruments:
            self.fields[f"{inst.id}-at_intake"] = forms.BooleanField(
                label="At intake", required=False
            )
            self.fields[f"{inst.id}-every_visit"] = forms.BooleanField(
                label="Every visit", required=False
            )
            self.fields[f"{inst.id}-every_nth"] = forms.IntegerField(
                label="Every n-th visit",
                required=False,
                min_value=2,
                max_value=MAX_EVERY_NTH,
                error_messages={
                    "min_value": f"{inst.short}: every n-th visit must be 2 or more "
                    "(every visit is its own choice)",
                    "max_value": f"{inst.short}: every n-th visit must be {MAX_EVERY_NTH} or fewer",
                    "invalid": f"{inst.short}: every n-th visit must be a whole number",
                },
            )
            self.fields[f"{inst.id}-at_discharge"] = forms.BooleanField(
                label="At discharge", required=False
            )

    def rules(self) -> dict[str, dict[str, Any]]:
        data = self.cleaned_data
        whens = ("at_intake", "every_visit", "every_nth", "at_discharge")
        return {i.id: {w: data.get(f"{i.id}-{w}") for w in whens} for i in self.instruments}


def blank_hint(instrument: Instrument) -> str:
    """How many items the form may leave blank, said once above them ('Up to 2 sections
    may be left blank.'), not beside each; '' where every item is needed (or, as for the
    PSFS's activities, the form says it its own way)."""
    most = instrument.scoring.max_missing
    optional = [item for item in instrument.items if not item.required]
    if most <= 0 or not optional or has_activities(instrument):
        return ""
    return f"Up to {count_of(instrument, min(most, len(optional)))} may be left blank."
