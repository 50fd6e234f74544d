"""The client's feedback pad link (docs/session.md): a signed token scoped to one guided
session (`SessionRun`), made by a therapist of the visit's clinic for the client's own phone.

The token is `django.core.signing` with its own salt (a token signed for anything else never
opens a pad), and carries the run, its visit and the therapist who made it. It is refused
when altered, older than `PAD_HOURS`, once its session has ended, when its run is not the
named visit's, or when the therapist who made it may no longer act for the clinic; each
refusal names what is wrong, and none says anything of the record."""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from myomap.accounts.models import User
from myomap.records.prepared import Prepared
from myomap.visits.models import PadCode, SessionRun

SALT = "myomap.visits.pad"
# How long a pad link lasts at most: a few hours (one session, with room for a late start),
# never a link that works for ever. It also stops as soon as its session ends.
PAD_HOURS = 4
# The short code: letters and digits that cannot be misread for one another (no 0/O,
# 1/I/L), eight of them: 31**8, about 8.5e11 codes, for links that live four hours.
CODE_LETTERS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CODE = re.compile(rf"^[{CODE_LETTERS}{CODE_LETTERS.lower()}]{{{CODE_LENGTH}}}$")


# Asked on every tap and every poll of the pad: compiled once (records.prepared).
_RUN = Prepared(
    lambda run, visit: SessionRun.objects.select_related("visit__client", "started_by").filter(
        pk=run, visit_id=visit
    ),
    2,
)
_ISSUER = Prepared(lambda pk: User.objects.filter(pk=pk, is_active=True), 1)


class PadRefused(Exception):
    """A pad link that opens nothing, with the reason in words for the client."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PadAccess:
    """What a valid token opens: the one run, and the therapist who handed out the link
    (on whose behalf the pad's taps are recorded)."""

    run: SessionRun
    issuer: User


def make_token(run: SessionRun, issuer: User) -> str:
    """A pad token for this run, made by `issuer` (a therapist of the visit's clinic)."""
    return signing.dumps([run.pk, run.visit_id, issuer.pk], salt=SALT, compress=True)


def code_for(run: SessionRun, issuer: User, now: dt.datetime) -> tuple[str, dt.datetime]:
    """The short code `issuer` hands out for this run, and until when it works: the one
    made before while it has at least half its life left (opening the pad dialog again
    shows the same code and stores nothing), else a new one."""
    fresh = (
        PadCode.objects.filter(
            run=run, issuer=issuer, expires_at__gt=now + dt.timedelta(hours=PAD_HOURS / 2)
        )
        .order_by("-expires_at")
        .values_list("code", "expires_at")
        .first()
    )
    if fresh is not None:
        return fresh
    return make_code(run, issuer, now), valid_until(now)


def make_code(run: SessionRun, issuer: User, now: dt.datetime) -> str:
    """A short code for this run's pad, made by `issuer`, lasting as a token does."""
    for _ in range(5):
        code = "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                PadCode.objects.create(
                    code=code, run=run, issuer=issuer, created_at=now, expires_at=valid_until(now)
                )
        except IntegrityError:
            continue  # taken (about never): another one
        return code
    raise RuntimeError("no free pad code")  # pragma: no cover


def valid_until(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(hours=PAD_HOURS)


def open_token(token: str) -> PadAccess:
    """The run the token (or short code) opens, or `PadRefused` naming what is wrong."""
    if CODE.match(token):
        return _open_code(token.upper())
    try:
        run_id, visit_id, issuer_id = signing.loads(
            token, salt=SALT, max_age=dt.timedelta(hours=PAD_HOURS)
        )
    except signing.SignatureExpired as exc:
        raise PadRefused(
            f"This feedback link has expired (a link lasts {PAD_HOURS} hours at most): "
            "ask your therapist for a new one."
        ) from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise PadRefused(
            "This feedback link is not valid (it was altered or copied wrongly): "
            "ask your therapist for the link again."
        ) from exc
    if not all(type(n) is int for n in (run_id, visit_id, issuer_id)):
        raise PadRefused(
            "This feedback link is not valid (it was altered or copied wrongly): "
            "ask your therapist for the link again."
        )
    return _access(run_id, visit_id, issuer_id)


def _open_code(code: str) -> PadAccess:
    found = PadCode.objects.filter(code=code).values_list(
        "run_id", "run__visit_id", "issuer_id", "expires_at"
    )
    if not found:
        raise PadRefused(
            "This feedback link is not valid (it was altered or copied wrongly): "
            "ask your therapist for the link again."
        )
    run_id, visit_id, issuer_id, expires_at = found[0]
    if expires_at <= timezone.now():
        raise PadRefused(
            f"This feedback link has expired (a link lasts {PAD_HOURS} hours at most): "
            "ask your therapist for a new one."
        )
    return _access(run_id, visit_id, issuer_id)


def _access(run_id: int, visit_id: int, issuer_id: int) -> PadAccess:
    """The checks every link passes: its run of its visit, open, and its therapist."""
    found = _RUN.rows(run_id, visit_id)
    run = found[0] if found else None
    if run is None:
        raise PadRefused(
            "This feedback link belongs to no session of this visit any more: "
            "ask your therapist for a new one."
        )
    if run.ended_at is not None:
        raise PadRefused("This session has ended, so its feedback link no longer works.")
    issuers = _ISSUER.rows(issuer_id)
    issuer = issuers[0] if issuers else None
    clinic_id = run.visit.client.clinic_id
    if issuer is None or not issuer.is_staff_member or issuer.clinic_id != clinic_id:
        raise PadRefused(
            "The therapist who made this feedback link can no longer use it: "
            "ask your therapist for a new one."
        )
    return PadAccess(run=run, issuer=issuer)


# ----------------------------------------------------------------------------- guessing codes
# Refused short-code lookups from one address within the window, past which its code
# lookups are refused for a while (signed links still open). An engineering choice, not
# a clinical number: room for a few mistyped codes from a clinic's shared network, far
# too few to guess one of 31**8 codes.
CODE_GUESSES = 20
CODE_WINDOW = dt.timedelta(minutes=15)
REFUSED_CODE = "pad code refused"


def is_code(token: str) -> bool:
    return bool(CODE.match(token))


def code_wait_minutes(ip: str | None, now: dt.datetime) -> int:
    """0 when a short code from `ip` may be looked up; otherwise the minutes to wait.
    Counted in the audit log's refused lookups (kept in the database, so every instance
    sees the same count)."""
    from myomap.audit.models import AuditEvent

    if ip is None:
        return 0
    refused = list(
        AuditEvent.objects.filter(
            action=AuditEvent.Action.REFUSED,
            path="/pad/",
            ip=ip,
            summary__startswith=REFUSED_CODE,
            at__gt=now - CODE_WINDOW,
        )
        .order_by("-at")
        .values_list("at", flat=True)[:CODE_GUESSES]
    )
    if len(refused) < CODE_GUESSES:
        return 0
    until = refused[-1] + CODE_WINDOW
    return max(1, math.ceil((until - now).total_seconds() / 60))
