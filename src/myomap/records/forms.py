"""The base of every records form: a text field refuses control characters and NUL (a form
error beside the field, the same rule as the JSON API's, `records.text.check_text`), so a
pasted NUL is never a server error on PostgreSQL. Tabs and line breaks stay allowed."""

from __future__ import annotations

from django import forms

from myomap.records.text import check_text


def validate_text(value: str) -> None:
    try:
        check_text(value)
    except ValueError as problem:
        raise forms.ValidationError(f"This contains a {problem}.", code="control") from None


class PlainTextForm(forms.Form):
    """A form whose every text field (hidden ones too) runs `validate_text`."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # `self.fields` is this form's own copy, validators included: the class is untouched.
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(validate_text)
