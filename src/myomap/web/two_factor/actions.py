"""Two-factor sign-in: what a staff member must still do (`pending_step`), and the writes,
each in one transaction with its audit event: start and confirm an enrolment, remove the
device, new recovery codes, check a code at sign-in, the clinic's requirement.

A failed code is audited and, at sign-in, counts toward the login throttle (it is the
second half of the same sign-in), so guessing codes is as slow as guessing passwords."""

from __future__ import annotations

import base64
import io
from typing import Literal

import django_otp
import qrcode
import qrcode.image.svg
from django.db import transaction
from django.db.models import Exists, OuterRef
from django_otp.models import Device, VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from myomap.accounts import throttle
from myomap.accounts.forms import throttled_message
from myomap.accounts.models import Clinic, User
from myomap.audit.log import Context, record
from myomap.audit.models import AuditEvent
from myomap.records.errors import Conflict, Forbidden, Invalid

RECOVERY_CODES = 10
APP_NAME = "Authenticator app"
CODES_NAME = "Recovery codes"
WRONG = (
    "That code is not right. Enter the 6 digits your authenticator app shows now "
    "(check that the phone's clock is set automatically), or one of your recovery codes."
)

Step = Literal["verify", "enrol"]


# ----------------------------------------------------------------------------- reads
def pending_step(user: User) -> Step | None:
    """What a signed-in person must do before any other page: enter a code ("verify": a
    confirmed device, and this session has not passed it), set up a device ("enrol": their
    clinic requires one and they have none), or nothing. Staff only: a client's login is
    never asked. One query, since the gate asks on every request."""
    if not user.is_staff_member or user.is_verified():  # type: ignore[attr-defined]
        return None
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


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def secret_of(device: TOTPDevice) -> str:
    """The secret as people type it into an app: base32, in groups of four."""
    text = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth URI as a QR code: an SVG made here, as a data: URI for <img>
    (no service outside sees the secret, and no inline markup the CSP would refuse)."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, border=2
    )
    out = io.BytesIO()
    image.save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


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
def set_two_factor_required(ctx: Context, clinic: Clinic, required: bool) -> Clinic:
    """The clinic admin's setting: when required, every therapist and admin of the clinic
    without an app is sent to set one up after signing in. The admin sets up their own
    first, so turning it on never sends them away from this page unawares."""
    user = ctx.user
    if not user.is_clinic_admin or user.clinic_id != clinic.pk:
        raise Forbidden("Only the clinic's admin may change this.")
    if required and device_of(user) is None:
        raise Invalid(
            "Set up two-factor sign-in for yourself first (above), then require it.", "required"
        )
    if clinic.two_factor_required != required:
        clinic.two_factor_required = required
        clinic.save(update_fields=["two_factor_required"])
        state = "required" if required else "no longer required"
        record(ctx, AuditEvent.Action.UPDATE, clinic, summary=f"two-factor sign-in {state}")
    return clinic


# ----------------------------------------------------------------------------- helpers
def _staff(ctx: Context) -> User:
    user: User = ctx.user
    if not user.is_staff_member:
        raise Forbidden("Two-factor sign-in is for therapists and clinic admins.")
    return user


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
        raise Invalid("Too many wrong codes in a row: wait a few seconds, then try again.", "code")
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
