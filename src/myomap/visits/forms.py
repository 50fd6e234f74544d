from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.forms.renderers import get_default_renderer
from django.utils.safestring import SafeString

from myomap.core.steps import MAX_STEPS, StepInput
from myomap.core.vocab import PPT_RANGE, TENDER_SCALE
from myomap.records.forms import PlainTextForm
from myomap.visits.models import PRESSURES, SIDES, TEST_RESULTS, TEST_SIDES


class PalpationForm(PlainTextForm):
    trigger_point = forms.CharField(widget=forms.HiddenInput)
    side = forms.ChoiceField(choices=SIDES, widget=forms.HiddenInput)
    tender = forms.IntegerField(
        min_value=TENDER_SCALE[0], max_value=TENDER_SCALE[1], required=False, label="Tender (0-10)"
    )
    taut_band = forms.BooleanField(required=False, label="Taut band")
    referral = forms.BooleanField(required=False, label="Reproduces the familiar pain")
    twitch = forms.BooleanField(required=False, label="Local twitch")
    jump = forms.BooleanField(required=False, label="Jump sign")
    ppt = forms.DecimalField(
        min_value=PPT_RANGE[0],
        max_value=PPT_RANGE[1],
        decimal_places=1,
        required=False,
        label="Pressure pain threshold (kg/cm²)",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        # The assessment page has one palpation form, moved to the row being examined; its
        # own id prefix keeps its ids apart from the movement form's ("side" in both).
        kwargs.setdefault("auto_id", "palp-%s")
        super().__init__(*args, **kwargs)

    def row(self) -> tuple[str, str]:
        """The (trigger point, side) this form is about, posted or initial."""
        source: Any = self.data if self.is_bound else self.initial
        return (str(source.get("trigger_point") or ""), str(source.get("side") or ""))


class MovementForm(PlainTextForm):
    test = forms.ChoiceField(choices=(), label="Test")
    side = forms.ChoiceField(
        choices=TEST_SIDES,
        required=False,
        label="Side",
    )
    result = forms.ChoiceField(choices=[("", "Choose…"), *TEST_RESULTS], label="Result")
    note = forms.CharField(max_length=300, required=False, label="Note (optional)")

    def __init__(self, *args: object, tests: list[tuple[str, str]], **kwargs: object) -> None:
        # Its own id prefix: the palpation forms on the same page have a "side" field too.
        kwargs.setdefault("auto_id", "movement-%s")
        super().__init__(*args, **kwargs)
        self.fields["test"].choices = tests  # type: ignore[attr-defined]


class NoteForm(PlainTextForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    subjective = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, label="S — Subjective"
    )
    objective = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), required=False, label="O — Objective"
    )
    assessment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, label="A — Assessment"
    )
    plan = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, label="P — Plan"
    )


class AmendForm(PlainTextForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="Why is the note being amended?"
    )


class _TechniqueSelect(forms.Select):
    """Techniques the screening rules out at this step's point stay visible but disabled,
    labelled "(ruled out)", so the therapist sees why they cannot be chosen.

    Rendered once per (name, choice, attributes, ruled out) and then reused: a plan shows
    one technique and one pressure list per step, the same lists on every view."""

    def __init__(self, *args: Any, ruled_out: frozenset[str] = frozenset(), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.ruled_out = ruled_out

    def create_option(self, name: str, value: Any, label: Any, *args: Any, **kwargs: Any) -> Any:
        option = super().create_option(name, value, label, *args, **kwargs)
        if value in self.ruled_out:
            option["attrs"]["disabled"] = True
            option["label"] = f"{label} (ruled out)"
        return option

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        choices = tuple(self.choices)
        # Only a value from the list is kept: never anything else a request typed.
        listed = {str(c[0]) for c in choices} | {""}
        if renderer not in (None, get_default_renderer()) or str(value or "") not in listed:
            return super().render(name, value, attrs, renderer)
        key = (
            name,
            str(value or ""),
            tuple(sorted({**self.attrs, **(attrs or {})}.items())),
            choices,
            self.ruled_out,
        )
        html = _SELECTS.get(key)
        if html is None:
            if len(_SELECTS) >= _SELECTS_KEPT:
                _SELECTS.clear()
            html = _SELECTS[key] = super().render(name, value, attrs, renderer)
        return html


_SELECTS: dict[tuple[Any, ...], SafeString] = {}
_SELECTS_KEPT = 4096


class PlanStepForm(PlainTextForm):
    """One row of the plan editor. Bounds and safety are checked by the core
    (`core.steps.check_steps`) through the save action, so every surface applies the same
    rules; this form only parses what was typed."""

    trigger_point = forms.CharField(widget=forms.HiddenInput)
    side = forms.ChoiceField(choices=SIDES, widget=forms.HiddenInput)
    reason = forms.CharField(widget=forms.HiddenInput, required=False)
    technique = forms.ChoiceField(choices=(), label="Technique")
    pressure = forms.ChoiceField(choices=PRESSURES, label="Pressure")
    # Whole numbers only here: their ranges (the technique's documented dose) are checked
    # with every other rule by the core, so all of a plan's problems show at once.
    hold_seconds = forms.IntegerField(label="Hold (s)")
    repetitions = forms.IntegerField(label="Repetitions")

    def __init__(
        self,
        *args: Any,
        techniques: Sequence[tuple[str, str]] = (),
        ruled_out: Mapping[str, frozenset[str]] | None = None,
        light_only: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        point = self["trigger_point"].value() or ""
        technique = self.fields["technique"]
        technique.choices = list(techniques)  # type: ignore[attr-defined]
        technique.widget = _TechniqueSelect(
            choices=list(techniques), ruled_out=(ruled_out or {}).get(point, frozenset())
        )
        if light_only:
            self.fields["pressure"].widget = _TechniqueSelect(
                choices=PRESSURES, ruled_out=frozenset({"moderate", "deep"})
            )

    def to_input(self) -> StepInput:
        data = self.cleaned_data
        return StepInput(
            trigger_point=data["trigger_point"],
            side=data["side"],
            technique=data["technique"],
            pressure=data["pressure"],
            hold_seconds=data["hold_seconds"],
            repetitions=data["repetitions"],
            reason=data.get("reason", ""),
        )


PlanFormSet = forms.formset_factory(
    PlanStepForm,
    extra=0,
    can_delete=True,
    max_num=MAX_STEPS,
    absolute_max=MAX_STEPS,
    validate_max=True,
)
