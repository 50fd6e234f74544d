"""Two-factor sign-in: what a staff member (or a site admin of /admin/) must still do
(`pending_step`), and the writes, each in one transaction with its audit events: start and
confirm an enrolment, remove one's own device, new recovery codes, check a code at sign-in,
the clinic's requirement, and a clinic admin removing a member's two-factor sign-in.

A failed code is audited and, at sign-in, counts toward the login throttle (it is the
second half of the same sign-in), so guessing codes is as slow as guessing passwords."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Literal

import django_otp
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django_otp.models import Device, VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from myomap.accounts import throttle
from myomap.accounts.forms import throttled_message
from myomap.accounts.models import Clinic, User
from myomap.api import tokens
from myomap.api.models import ApiToken
from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.records.errors import Conflict, Forbidden, Invalid
from myomap.records.qr import qr_data_uri
from myomap.web.two_factor.backends import CLINIC_REQUIRES, HAS_DEVICE

RECOVERY_CODES = 10
APP_NAME = "Authenticator app"
CODES_NAME = "Recovery codes"
WRONG = (
    "That code is not right. Enter the 6 digits your authenticator app shows now "
    "(check that the phone's clock is set automatically), or one of your recovery codes."
)
# django-otp's back-off after each wrong code (1, 2, 4... seconds): said plainly, since it
# starts after the first one (its own "Verification temporarily disabled because of 1
# failed attempt" sounds like a lock-out, which it is not; the login throttle is that).
WAIT = "Wait a few seconds before trying again: each wrong code adds a short wait."
STAFF_ROLES = (User.Role.THERAPIST, User.Role.ADMIN)

Step = Literal["verify", "enrol"]


# ----------------------------------------------------------------------------- reads
def may_use(user: User) -> bool:
    """Who signs in with two-factor: therapists and clinic admins, and whoever may open the
    site's /admin/ (a superuser or a Django staff account, with or without a clinic). A
    client's own login is never asked."""
    return bool(user.is_staff_member or user.is_superuser or user.is_staff)


def pending_step(user: User) -> Step | None:
    """What a signed-in person must do before any other page, /admin/ included: enter a
    code ("verify": a confirmed device, and this session has not passed it), set up a
    device ("enrol": their clinic requires one and they have none), or nothing. The gate
    asks on every request: the person loaded by the sign-in backend already carries both
    answers; anyone else costs one query."""
    if not may_use(user) or user.is_verified():  # type: ignore[attr-defined]
        return None
    loaded = getattr(user, HAS_DEVICE, None)
    if loaded is not None:
        if loaded:
            return "verify"
        return "enrol" if getattr(user, CLINIC_REQUIRES) else None
    devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(has_device=Exists(devices))
        .values_list("has_device", "clinic__two_factor_required")
        .first()
    )
    if row is None:
        return None
    has_device, required = row
    if has_device:
        return "verify"
    return "enrol" if required else None


def device_of(user: User) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def unconfirmed_device(user: User) -> TOTPDevice | None:
    """A set-up that was started (the secret shown) but not confirmed with a code yet."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def with_two_factor(members: QuerySet[User]) -> QuerySet[User]:
    """`members`, each with `has_two_factor`: a confirmed authenticator app (one query)."""
    devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return members.annotate(has_two_factor=Exists(devices))


def unenrolled_staff(clinic: Clinic, now: dt.datetime) -> list[tuple[User, int]]:
    """The clinic's therapists and admins without an authenticator app, each with how many
    API tokens still work at `now`: the tokens that requiring two-factor sign-in revokes."""
    devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    live = ApiToken.objects.live(now).filter(user=OuterRef("pk"))
    counted = live.order_by().values("user").annotate(n=Count("pk")).values("n")
    rows = (
        User.objects.filter(clinic=clinic, role__in=STAFF_ROLES)
        .exclude(Exists(devices))
        .annotate(live=Coalesce(Subquery(counted), 0))
        .order_by("username")
    )
    return [(user, user.live) for user in rows]


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def secret_of(device: TOTPDevice) -> str:
    """The secret as people type it into an app: base32, in groups of four."""
    text = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth URI as a QR code (made here: no service outside sees the secret)."""
    return qr_data_uri(device.config_url)


# ----------------------------------------------------------------------------- writes
@transaction.atomic
def start_enrolment(ctx: Context) -> TOTPDevice:
    """A new secret for the person's authenticator app, unconfirmed until a code from the
    app proves it was copied right (an earlier unconfirmed one is replaced)."""
    user = _staff(ctx)
    if device_of(user) is not None:
        raise Conflict(
            "Two-factor sign-in is already on: remove the app below before setting up another."
        )
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)


def confirm_enrolment(ctx: Context, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the started set-up with a code from the app: two-factor sign-in is on, and
    ten recovery codes (returned once, stored as django-otp stores them) replace any
    earlier ones. A wrong code is audited and refused."""
    user = _staff(ctx)
    device = unconfirmed_device(user)
    if device is None:
        raise Invalid("Start the set-up first: press “Set up two-factor sign-in”.", "code")
    _check(ctx, device, code, "wrong code when setting up two-factor sign-in")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        record(ctx, AuditEvent.Action.CREATE, device, summary="two-factor sign-in set up")
    return device, codes


def remove_device(ctx: Context, code: str) -> None:
    """Turn two-factor sign-in off for oneself: a code (from the app, or a recovery code)
    proves the person holding the session also holds the phone or the codes."""
    user = _staff(ctx)
    device = device_of(user)
    if device is None:
        raise Invalid("Two-factor sign-in is not on for your account.", "code")
    _check_any(ctx, user, code, "wrong code when removing two-factor sign-in")
    with transaction.atomic():
        record(ctx, AuditEvent.Action.DELETE, device, summary="two-factor sign-in removed")
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def regenerate_recovery_codes(ctx: Context) -> list[str]:
    """Ten new recovery codes; the earlier ones stop working."""
    user = _staff(ctx)
    if device_of(user) is None:
        raise Invalid("Set up two-factor sign-in first.")
    codes = _new_recovery_codes(user)
    device = StaticDevice.objects.get(user=user)
    record(ctx, AuditEvent.Action.UPDATE, device, summary="new recovery codes")
    return codes


def check_sign_in_code(ctx: Context, code: str) -> Device:
    """The second step of signing in: the app's code or a recovery code (used up), for the
    session's person. Counted by the login throttle like a password; a wrong code is
    audited and refused with what to do. Returns the device that accepted it, for
    `django_otp.login`."""
    user = ctx.user
    username = user.get_username()
    wait = throttle.begin(username, ctx.ip)
    if wait:
        raise Invalid(throttled_message(wait), "code")
    device = _check_any(ctx, user, code, "wrong code at sign-in")
    throttle.clear(username)
    return device


@transaction.atomic
def set_two_factor_required(
    ctx: Context, clinic: Clinic, required: bool
) -> tuple[Clinic, list[ApiToken]]:
    """The clinic admin's setting: when required, every therapist and admin of the clinic
    without an app is sent to set one up after signing in. Turning it on also revokes the
    API tokens of those without an app (returned): a token made with a password alone
    would otherwise still open the records. The admin sets up their own app first, so
    turning it on never sends them away from this page unawares."""
    user = ctx.user
    if not user.is_clinic_admin or user.clinic_id != clinic.pk:
        raise Forbidden("Only the clinic's admin may change this.")
    if required and device_of(user) is None:
        raise Invalid(
            "Set up two-factor sign-in for yourself first, on your own Two-factor sign-in "
            "page (linked above), then require it.",
            "required",
        )
    revoked: list[ApiToken] = []
    if clinic.two_factor_required != required:
        clinic.two_factor_required = required
        clinic.save(update_fields=["two_factor_required"])
        state = "required" if required else "no longer required"
        record(ctx, AuditEvent.Action.UPDATE, clinic, summary=f"two-factor sign-in {state}")
        if required:
            for member, _ in unenrolled_staff(clinic, ctx.now):
                revoked += tokens.revoke_all_for(
                    ctx, member, "two-factor sign-in is now required and not set up"
                )
    return clinic, revoked


@transaction.atomic
def remove_for_member(ctx: Context, member: User) -> list[ApiToken]:
    """A clinic admin turns off a member's two-factor sign-in (a lost phone and lost
    recovery codes): the member's app and recovery codes are deleted, every session of
    theirs ends and their API tokens are revoked (returned), since whoever has the phone
    may be signed in. They then sign in with their password (and set up a new app when
    the clinic requires it). Not for one's own: that is the Two-factor sign-in page,
    which asks for a code."""
    admin = ctx.user
    if not admin.is_clinic_admin or admin.clinic_id != member.clinic_id:
        raise Forbidden("Only the clinic's admin may change this.")
    if member.pk == admin.pk:
        raise Invalid("Turn off your own two-factor sign-in on your Two-factor sign-in page.")
    app = TOTPDevice.objects.select_for_update().filter(user=member).order_by("-confirmed")
    device: Device | None = app.first() or StaticDevice.objects.filter(user=member).first()
    if device is None:
        raise Invalid(f"{member.username} has no two-factor sign-in to remove.")
    ended = _end_sessions(member, ctx.now)
    revoked = tokens.revoke_all_for(ctx, member, "two-factor sign-in removed by the clinic admin")
    record(
        ctx,
        AuditEvent.Action.DELETE,
        device,
        summary=(
            f"two-factor sign-in of {member.username} removed: {_count(ended, 'session')} "
            f"ended, {_count(len(revoked), 'API token')} revoked"
        ),
    )
    TOTPDevice.objects.filter(user=member).delete()
    StaticDevice.objects.filter(user=member).delete()
    return revoked


# ----------------------------------------------------------------------------- helpers
def _staff(ctx: Context) -> User:
    user: User = ctx.user
    if not may_use(user):
        raise Forbidden("Two-factor sign-in is for therapists, clinic admins and site admins.")
    return user


def _end_sessions(user: User, now: dt.datetime) -> int:
    """Sign `user` out everywhere: their unexpired sessions are deleted (sessions are kept
    in the database, Django's default store). Returns how many."""
    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=now).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=mine).delete()
    return len(mine)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _normal(code: str) -> str:
    """What people type: spaces and dashes between groups are fine, case does not matter."""
    return "".join(code.split()).replace("-", "").lower()[:32]


def _check(ctx: Context, device: Device, code: str, failure: str) -> None:
    """`device` accepts `code`, or the failure is audited and refused."""
    if _verified(ctx.user, device, _normal(code)) is None:
        _refuse(ctx, device, failure)


def _check_any(ctx: Context, user: User, code: str, failure: str) -> Device:
    """The app accepts the code (digits), else the recovery codes do (used up, audited)."""
    token = _normal(code)
    app = device_of(user)
    if app is None:
        raise Invalid("Two-factor sign-in is not on for your account.", "code")
    if token.isdigit() and len(token) == app.digits:
        if _verified(user, app, token) is not None:
            return app
        _refuse(ctx, app, failure)
    codes = StaticDevice.objects.filter(user=user, confirmed=True).first()
    accepted = _verified(user, codes, token) if codes is not None else None
    if accepted is None:
        _refuse(ctx, codes or app, failure)
    left = recovery_codes_left(user)
    record(
        ctx,
        AuditEvent.Action.UPDATE,
        accepted,
        summary=f"recovery code used ({left} left)",
    )
    return accepted


def _verified(user: User, device: Device, token: str) -> Device | None:
    """The device (locked for the check, so a code is never accepted twice), if it accepts
    `token`. django-otp's own back-off (1, 2, 4... seconds after each failure) applies."""
    if not token:
        return None
    allowed, why = device.verify_is_allowed()
    if not allowed and why and why.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
        raise Invalid(WAIT, "code")
    return django_otp.verify_token(user, device.persistent_id, token)


def _refuse(ctx: Context, device: Device, failure: str) -> None:
    record(ctx, AuditEvent.Action.REFUSED, device, summary=failure)
    raise Invalid(WRONG, "code")


def _new_recovery_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": CODES_NAME, "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes
