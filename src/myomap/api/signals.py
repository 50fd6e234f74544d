"""A person's tokens stop working when their password changes (set by themselves, reset by
email, or set by an admin) or their account is deactivated: whoever had the old password
may have made a token with it.

A signal on the user model rather than in each place that changes a password: Django's
password views, the admin and `manage changepassword` all end in `user.save()`, and no
code path of ours would be missed (a re-encoding of the same password at sign-in is no
change). `pre_save` reads what is stored; `post_save` revokes once the change is saved.
A signal does not know who made the change, so the audit events name the account
itself, via "system"."""

from __future__ import annotations

from typing import Any

from myomap.api import tokens
from myomap.audit.log import Context

_REASON = "_myomap_token_revocation"


def note_password_or_deactivation(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.pk is None or kwargs.get("raw"):
        return
    fields = kwargs.get("update_fields")
    if fields is not None and not {"password", "is_active"} & set(fields):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values("password", "is_active")
    before = stored.first()
    if before is None:
        return
    if before["is_active"] and not instance.is_active:
        setattr(instance, _REASON, "account deactivated")
    elif before["password"] != instance.password and not _rehashed(instance, fields):
        setattr(instance, _REASON, "password changed")


def _rehashed(instance: Any, fields: Any) -> bool:
    """Signing in may re-encode an unchanged password with a stronger hasher: Django then
    saves only the password, without the raw one that `set_password` keeps until saved."""
    return getattr(instance, "_password", None) is None and set(fields or ()) == {"password"}


def revoke_after_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    reason = instance.__dict__.pop(_REASON, None)
    if reason is None:
        return
    tokens.revoke_all_for(Context(user=instance, via="system"), instance, reason)
