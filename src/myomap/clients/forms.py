from __future__ import annotations

import json
from typing import Any

from django import forms

from myomap.clients.models import CONSENT_HOW_WORDS, CONSENT_HOWS, CONSENTS, Client, Intake
from myomap.core import factors
from myomap.core.kb import load_default
from myomap.records.forms import PlainTextForm


class ClientForm(PlainTextForm):
    given_name = forms.CharField(max_length=100)
    family_name = forms.CharField(max_length=100)
    date_of_birth = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    treatment_consent = forms.BooleanField(
        required=False,
        label="The client consents to treatment (neuromuscular therapy), on a signed form",
    )
    data_consent = forms.BooleanField(
        required=False,
        label="The client consents to their health data being recorded, on a signed form",
    )


class ClientEditForm(ClientForm):
    """The client form filled with the record, for a correction. A consent on record is
    shown ticked and cannot be unticked here (a correction does not withdraw consent)."""

    reason = forms.CharField(
        max_length=300, required=False, label="Reason for the correction (optional)"
    )

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        initial = {
            name: getattr(client, name)
            for name in ("given_name", "family_name", "date_of_birth", "email", "phone")
        }
        for name in CONSENTS:
            initial[name] = name not in client.missing_consents
        super().__init__(*args, **(kwargs | {"initial": initial}))
        for name in CONSENTS:
            if name not in client.missing_consents:
                self.fields[name].disabled = True
                self.fields[name].label = f"{self.fields[name].label} (on record)"


class ConsentForm(PlainTextForm):
    treatment_consent = forms.BooleanField(
        required=False,
        label="The client consents to treatment (neuromuscular therapy), on a signed form",
    )
    data_consent = forms.BooleanField(
        required=False,
        label="The client consents to their health data being recorded, on a signed form",
    )
    how = forms.ChoiceField(
        choices=[(h, CONSENT_HOW_WORDS[h]) for h in CONSENT_HOWS],
        initial="written",
        widget=forms.RadioSelect,
        label="How the client gave consent",
    )
    note = forms.CharField(
        max_length=300,
        required=False,
        label="Note (for verbal consent: how and where it was given)",
    )


class IntakeForm(PlainTextForm):
    """The intake: complaint, pain drawing, history, and the knowledge base's questions."""

    complaint = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Presenting complaint"
    )
    pain_drawing = forms.CharField(widget=forms.HiddenInput, required=False)
    history = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    medications = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kb = load_default()
        for flag in kb.red_flags.values():
            self.fields[f"rf_{flag.id}"] = forms.BooleanField(required=False, label=flag.question)
        for item in kb.contraindications.values():
            self.fields[f"ci_{item.id}"] = forms.BooleanField(required=False, label=item.question)
        for question in factors.questions(kb):
            name = f"fq_{question.id}"
            if question.answer == "scale-0-3":
                self.fields[name] = forms.TypedChoiceField(
                    label=question.text,
                    coerce=int,
                    initial=0,
                    choices=[(n, f"{n} {word}") for n, word in enumerate(question.scale)],
                )
            else:
                self.fields[name] = forms.BooleanField(required=False, label=question.text)

    def clean_pain_drawing(self) -> dict[str, int]:
        raw = self.cleaned_data.get("pain_drawing") or "{}"
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            raise forms.ValidationError(
                "the pain drawing could not be read; draw it again"
            ) from None
        if not isinstance(data, dict):
            raise forms.ValidationError("the pain drawing could not be read; draw it again")
        return data

    def group(self, prefix: str) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(prefix)]

    def answers(self, prefix: str) -> dict[str, Any]:
        return {
            name[len(prefix) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix)
        }


class IntakeCorrectionForm(IntakeForm):
    """The intake form filled with the intake, and the reason for the correction."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for the correction",
    )

    def __init__(self, *args: Any, intake: Intake, **kwargs: Any) -> None:
        initial: dict[str, Any] = {
            "complaint": intake.complaint,
            "pain_drawing": json.dumps(intake.drawing),
            "history": intake.history,
            "medications": intake.medications,
        }
        answers = (
            ("rf_", intake.red_flag_answers),
            ("ci_", intake.contraindication_answers),
            ("fq_", intake.factor_answers),
        )
        for prefix, given in answers:
            initial |= {f"{prefix}{key}": value for key, value in given.items()}
        super().__init__(*args, **(kwargs | {"initial": initial}))


class ReferralForm(PlainTextForm):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Referral made (to whom, how and when)",
    )


class OverrideForm(PlainTextForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason for continuing despite the red flag",
    )


class FlagClearanceForm(PlainTextForm):
    cleared_by = forms.CharField(max_length=200, label="Cleared by (name and role or service)")
    cleared_on = forms.DateField(
        label="Cleared on", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    said = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="What they said (findings, advice)"
    )


class ClearanceForm(PlainTextForm):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Clearance given (by whom, when, any limits)",
    )
