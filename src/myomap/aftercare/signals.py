"""A session's note signed for the first time asks for its check-in, in the signing's own
transaction. A signal rather than a line in visits.sign_note: the visits app does not
know about aftercare, as the layers have it (aftercare builds on visits)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from myomap.visits.models import NoteVersion


@receiver(post_save, sender=NoteVersion, dispatch_uid="aftercare.check_in_on_signature")
def _signed(sender: Any, instance: NoteVersion, update_fields: Any = None, **kwargs: Any) -> None:
    if instance.signed_at is None or instance.number != 1:
        return
    if update_fields is not None and "signed_at" not in update_fields:
        return
    from myomap.aftercare.actions import ask_for_check_in

    ask_for_check_in(instance.note.visit, instance.signed_at)
