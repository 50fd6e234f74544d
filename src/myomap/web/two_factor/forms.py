from __future__ import annotations

from django import forms

from myomap.records.forms import PlainTextForm


class CodeForm(PlainTextForm):
    """A code from the authenticator app (6 digits) or, where it says so, a recovery code."""

    code = forms.CharField(
        max_length=64,
        label="Code",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: object, label: str = "Code", numeric: bool = False, **kwargs: object):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = label
        if numeric:  # the phone's number pad, where only the app's digits are asked for
            field.widget.attrs["inputmode"] = "numeric"


class RequirementForm(forms.Form):
    required = forms.BooleanField(
        required=False,
        label="Every therapist and admin of the clinic signs in with an authenticator app",
    )
