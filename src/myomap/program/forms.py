"""The HTML forms of the client's side; the bounds of a dose and of pain are the
actions' (from the knowledge base), the forms only parse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html

from myomap.core import program as core
from myomap.core.kb import load_default
from myomap.core.program import PAIN_SCALE
from myomap.program.models import ProgramItem


class AcceptForm(forms.Form):
    username = forms.CharField(max_length=150, required=False, label="Choose a username")
    password = forms.CharField(widget=forms.PasswordInput, label="Choose a password")
    password_again = forms.CharField(widget=forms.PasswordInput, label="The password again")
    consent = forms.BooleanField(required=False, label="I agree to use the portal")

    def __init__(self, *args: Any, has_login: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The rules the password is checked against, said before the client types one.
        self.fields["password"].help_text = password_validators_help_text_html()
        if has_login:
            del self.fields["username"]
        else:
            self.fields["username"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "the two passwords differ")
        return data


class DoseForm(forms.Form):
    """An item's dose; its bounds are the knowledge base's, checked by `set_dose`."""

    sets = forms.IntegerField(min_value=0, label="Sets")
    repetitions = forms.IntegerField(min_value=0, label="Repetitions")
    hold_seconds = forms.IntegerField(min_value=0, label="Hold (s)")
    days_per_week = forms.IntegerField(min_value=0, label="Days a week")

    @classmethod
    def of(cls, item: ProgramItem) -> DoseForm:
        form = cls(
            initial={name: getattr(item, name) for name in cls.base_fields},
            auto_id=f"id_item{item.pk}_%s",  # one form per item on the page: ids apart
        )
        # The browser's number inputs step within the bounds `set_dose` checks, so a
        # tablet's spinner never offers a dose the action would refuse.
        for name, (low, high) in dose_bounds(item.exercise).items():
            form.fields[name].widget.attrs.update({"min": low, "max": high})
        return form


def dose_bounds(exercise: str) -> dict[str, tuple[int, int]]:
    """Each dose field's (lowest, highest), as `core.program.check_dose` reads them: a
    self-release's hold within its own range."""
    kb = load_default()
    r = core.rules(kb)
    bounds = {
        name: (getattr(r.dose, name).low, getattr(r.dose, name).high) for name in core.DOSE_FIELDS
    }
    known = kb.exercises.get(exercise)
    if known is not None and known.category == core.SELF_RELEASE:
        bounds["hold_seconds"] = (r.self_release_hold_seconds.low, r.self_release_hold_seconds.high)
    return bounds


class _Regions(forms.MultipleChoiceField):
    """The regions tapped on the body map (or ticked in the list without JavaScript): any
    names parse, `record_diary_regions` refuses an unknown one naming it."""

    def valid_value(self, value: str) -> bool:
        return True


class DiaryForm(forms.Form):
    entry_id = forms.UUIDField(widget=forms.HiddenInput)
    regions = _Regions(required=False, label="Where")
    # One region by its id, as the form sent it before the body map (a page still open).
    region = forms.CharField(max_length=100, required=False, label="Where")
    pain = forms.IntegerField(label=f"Pain ({PAIN_SCALE[0]}-{PAIN_SCALE[1]})")
    note = forms.CharField(max_length=500, required=False, label="What were you doing? (optional)")
