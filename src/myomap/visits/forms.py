from __future__ import annotations

from django import forms

from myomap.visits.models import SIDES


class PalpationForm(forms.Form):
    trigger_point = forms.CharField(widget=forms.HiddenInput)
    side = forms.ChoiceField(choices=SIDES, widget=forms.HiddenInput)
    tender = forms.IntegerField(min_value=0, max_value=10, required=False, label="Tender (0-10)")
    taut_band = forms.BooleanField(required=False, label="Taut band")
    referral = forms.BooleanField(required=False, label="Reproduces the familiar pain")
    twitch = forms.BooleanField(required=False, label="Local twitch")
    jump = forms.BooleanField(required=False, label="Jump sign")
    ppt = forms.DecimalField(
        min_value=0,
        max_value=20,
        decimal_places=1,
        required=False,
        label="Pressure pain threshold (kg/cm²)",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if "auto_id" not in kwargs:
            # The assessment page shows one form per candidate row: element ids carry the
            # row's trigger point and side so they stay unique on the page. Field names
            # do not change, so the posted data reads the same.
            row = "-".join(str(self.initial.get(k) or "") for k in ("trigger_point", "side"))
            if row.strip("-"):
                self.auto_id = f"palp-{row}-%s"


class MovementForm(forms.Form):
    test = forms.ChoiceField(choices=(), label="Test")
    side = forms.ChoiceField(
        choices=[("", "Both / none"), ("left", "Left"), ("right", "Right")],
        required=False,
        label="Side",
    )
    result = forms.ChoiceField(
        choices=[("positive", "Positive"), ("negative", "Negative")], label="Result"
    )
    note = forms.CharField(max_length=300, required=False, label="Note (optional)")

    def __init__(self, *args: object, tests: list[tuple[str, str]], **kwargs: object) -> None:
        # Its own id prefix: the palpation forms on the same page have a "side" field too.
        kwargs.setdefault("auto_id", "movement-%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["test"].choices = tests  # type: ignore[attr-defined]


class NoteForm(forms.Form):
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


class AmendForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="Why is the note being amended?"
    )
