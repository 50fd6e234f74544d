from __future__ import annotations

import datetime as dt

from django import forms

from myomap.records.forms import PlainTextForm

YES_NO = [("yes", "Yes"), ("no", "No")]
SCALE = [(str(n), str(n)) for n in range(11)]


class CheckInForm(PlainTextForm):
    """The check-in's questions: each required, each answered by a tap."""

    soreness = forms.TypedChoiceField(
        label="How sore are you now? (0 none, 10 the worst)",
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
    )
    fading = forms.ChoiceField(
        label="Is the soreness fading?", choices=YES_NO, widget=forms.RadioSelect
    )
    pain_now = forms.TypedChoiceField(
        label="Your usual pain now (0 none, 10 the worst)",
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
    )
    new_numbness = forms.ChoiceField(
        label="Any new numbness or tingling since the session?",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    new_weakness = forms.ChoiceField(
        label="Any new weakness in a leg or arm?", choices=YES_NO, widget=forms.RadioSelect
    )
    bladder_or_bowel = forms.ChoiceField(
        label="Any change in passing urine or in your bowels?",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )

    def answers(self) -> dict[str, object]:
        data = self.cleaned_data
        flags = ("fading", "new_numbness", "new_weakness", "bladder_or_bowel")
        return {
            "soreness": data["soreness"],
            "pain_now": data["pain_now"],
            **{name: data[name] == "yes" for name in flags},
        }


class ReliefForm(PlainTextForm):
    back = forms.ChoiceField(
        label="Is the pain back to how it was before the session?",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    pain_now = forms.TypedChoiceField(
        label="Your pain now (0 none, 10 the worst)",
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
    )


class RecheckForm(PlainTextForm):
    """The second soreness question: how sore, and fading yet?"""

    soreness = forms.TypedChoiceField(
        label="How sore are you now? (0 none, 10 the worst)",
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
    )
    fading = forms.ChoiceField(
        label="Is the soreness fading now?", choices=YES_NO, widget=forms.RadioSelect
    )


class BookForm(forms.Form):
    """A tap on one of the offered times of a relief page: its start, as the page wrote it
    (ISO 8601 with its offset)."""

    start = forms.CharField(
        max_length=40,
        error_messages={"required": "Choose one of the times below: none was chosen."},
    )

    def clean_start(self) -> dt.datetime:
        unreadable = "Choose one of the times below: that one could not be read."
        try:
            found = dt.datetime.fromisoformat(self.cleaned_data["start"])
        except ValueError:
            raise forms.ValidationError(unreadable) from None
        if found.tzinfo is None:
            raise forms.ValidationError(unreadable)
        return found
