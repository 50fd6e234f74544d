"""Reads of the erasure records and the clinic's retention rule, for the admin's pages."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import QuerySet

from myomap.erasure.models import Erasure, Retention


def erasures_of(user: Any) -> QuerySet[Erasure]:
    """The erasures done at this person's clinic, newest first."""
    return Erasure.objects.filter(clinic_id=user.clinic_id).select_related("erased_by")


def retention_of(user: Any) -> Retention | None:
    return Retention.objects.filter(clinic_id=user.clinic_id).first()


def in_words(rows_deleted: dict[str, int]) -> list[tuple[str, int]]:
    """(what, how many) for each kind of row an erasure deletes: "visits", 3."""
    out = []
    for label, count in sorted(rows_deleted.items()):
        try:
            name = str(apps.get_model(label)._meta.verbose_name_plural)
        except LookupError:
            name = label
        out.append((name, count))
    return out
