"""The client's own phone as a feedback pad for the guided session (docs/session.md).

- `/visits/<id>/session/pad/` (the visit's clinic's therapists only): makes a pad link for
  the visit's open session (`pad_tokens`) and shows it as a QR code and a short link.
- `/pad/<token>/` (no login: the signed token is the credential): the big feedback buttons
  and the current point's name and side, nothing else of the record; its script
  (`js/pad.js`) sends each tap to `/pad/<token>/events` and asks `/pad/<token>/state` for
  the current point every few seconds.

Who the audit log names: a tap is the client's, not the therapist's, but the client has no
account, and the session's writes are staff writes (`session_actions` checks the actor's
clinic). The pad acts on behalf of the therapist who made the link (the token carries them,
and is refused once they may no longer act for the clinic): each audit event of the pad
names that therapist as the actor with `via="pad"`, so the log says both who let the phone
in and that the tap came from the client's pad, never that the therapist tapped on their
own screen. The audit path is `/pad/`, without the token (the log must not hold a working
credential).

The phone's clock: a phone's clock may be minutes wrong, so its times are put on the
session's clock before the session sees them, in two steps. Each tap carries its device
time (`at`) and the device's time when it is sent (`sent`): the server shifts `at` by its
own receive time minus `sent` (the phone's offset, network delay included), never past the
receive time; that is the server's clock. The session's clock is the therapist's tablet's
(its events keep the tablet's times), so the tap is then shifted by the tablet's offset
from the server: the smallest receive time minus device time among the tablet's events
(an event queued offline arrives late by the whole wait, so the latest one's would be
that wait, not the skew; `session_queries.tablet_offset`). Each estimate includes one
network delay (the phone's makes a tap look later, the tablet's earlier), so they mostly
cancel: what is left is the difference of the two delays, milliseconds on one network. A
tap queued offline keeps its place in the hold it was made in. The pad's event ids are
stored as "pad:<id>", which tells its events from the tablet's."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from myomap.audit.log import Context, client_address, record
from myomap.audit.models import AuditEvent
from myomap.core.kb import load_default
from myomap.core.session.clock import on_server_clock
from myomap.core.session.events import FEEDBACK, FEEDBACK_BUTTONS
from myomap.records.access import staff_required
from myomap.records.errors import ActionError
from myomap.records.qr import qr_data_uri
from myomap.visits import queries, session_actions, session_queries
from myomap.visits.pad_tokens import (
    REFUSED_CODE,
    PadAccess,
    PadRefused,
    code_for,
    code_wait_minutes,
    is_code,
    make_token,
    open_token,
    valid_until,
)
from myomap.visits.tabs import tab_context

# How often the pad asks for the current point and whether a hold is on, seconds (an
# unchanged session is a 304: cheap).
POLL_SECONDS = 1
# The longest event id a phone may send (stored with the "pad:" prefix, 64 at most).
ID_LIMIT = 60
PREFIX = session_queries.PAD_PREFIX


# ----------------------------------------------------------------------------- the therapist
# Hosts only the machine itself reaches: a phone given such a link opens nothing.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"})


def unreachable(host: str) -> str:
    """Why a phone cannot open a link on `host` ("" when it may): localhost and its
    addresses are this machine's own name for itself."""
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if name in LOCAL_HOSTS or name.startswith("127."):
        return (
            f"This link points to {name}, which is this computer's own name for itself: a "
            "phone cannot open it. Serve Myomap on the clinic's network (myomap serve --host "
            "0.0.0.0, with the computer's address in MYOMAP_ALLOWED_HOSTS; see the README) "
            "and open this page through that address."
        )
    return ""


@require_GET
@staff_required
def pad_link(request: HttpRequest, pk: int) -> HttpResponse:
    """The pad link of the visit's open session as a QR code and a short link; as JSON
    ({link, qr, until, unreachable}) for the runner's dialog when asked for JSON."""
    visit = queries.visit_for(request.user, pk)
    run = session_queries.open_run(visit)
    ctx = Context.of(request)
    as_json = "application/json" in request.headers.get("Accept", "")
    context: dict[str, Any] = {**tab_context(visit), "run": run, "buttons": FEEDBACK_BUTTONS}
    if run is not None:
        token = make_token(run, request.user)  # type: ignore[arg-type]
        link = request.build_absolute_uri(reverse("pad:pad", args=[token]))
        code, code_until = code_for(run, request.user, ctx.now)  # type: ignore[arg-type]
        short = request.build_absolute_uri(reverse("pad:pad", args=[code]))
        until = min(valid_until(ctx.now), code_until)
        warning = unreachable(request.get_host())
        context |= {
            "link": link,
            "short": short,
            "code": code,
            "qr": qr_data_uri(short),
            "until": until,
            "unreachable": warning,
        }
        what = f"client's feedback pad link made (valid until the session ends, {until:%H:%M})"
        record(ctx, AuditEvent.Action.VIEW, run, client=visit.client, summary=what)
    else:
        record(ctx, AuditEvent.Action.VIEW, visit, summary="client's feedback pad: no session")
    if as_json:
        if run is None:
            detail = "No session is open for this visit: start it first."
            return JsonResponse({"detail": detail, "link": None}, status=409)
        answer = {k: context[k] for k in ("link", "short", "code", "qr", "unreachable")}
        answer["until"] = date_format(timezone.localtime(context["until"]), "H:i")
        response = JsonResponse(answer)
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "visits/pad_link.html", context)


# ----------------------------------------------------------------------------- the pad
def _pad_context(request: HttpRequest, access: PadAccess) -> Context:
    """The pad acts on behalf of the therapist who made the link, and says so (`via`)."""
    return Context(
        user=access.issuer,
        path="/pad/",  # never the token: the log must not hold a credential
        ip=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        via="pad",
    )


class CodeGuessing(PadRefused):
    """Too many refused short codes from one address (`pad_tokens.CODE_GUESSES`)."""


def _open(request: HttpRequest, token: str) -> PadAccess:
    """`open_token`; a short code is first refused while its address has had too many
    refused codes lately, and each refused code is audited (the log counts them)."""
    if not is_code(token):
        return open_token(token)
    ip = client_address(request)
    ctx = Context(user=None, path="/pad/", ip=ip, via="pad")
    wait = code_wait_minutes(ip, ctx.now)
    if wait:
        raise CodeGuessing(
            "Too many wrong feedback codes were tried from this network: "
            f"try again in {wait} minute{'s' if wait != 1 else ''}, or scan the QR code."
        )
    try:
        return open_token(token)
    except PadRefused as refused:
        record(ctx, AuditEvent.Action.REFUSED, None, summary=f"{REFUSED_CODE}: {refused.message}")
        raise


def _refused(request: HttpRequest, refused: PadRefused, *, as_json: bool) -> HttpResponse:
    status = 429 if isinstance(refused, CodeGuessing) else 403
    if as_json:
        return JsonResponse({"detail": refused.message, "refused": True}, status=status)
    return render(request, "visits/pad.html", {"refused": refused.message}, status=status)


def _now_showing(access: PadAccess, now: dt.datetime) -> dict[str, Any]:
    """All the pad shows of the session: the current point's name and side, a hold or not."""
    kb = load_default()
    state = session_queries.state_of(access.run, session_queries.replayed(access.run, kb), kb, now)
    return _showing(state)


def _showing(state: session_queries.SessionState) -> dict[str, Any]:
    current = state.current
    return {
        "point": current.name if current is not None else None,
        "side": current.side if current is not None else None,
        "hold": state.active is not None,
        "ended": state.session.status == "ended",
    }


@require_GET
def pad(request: HttpRequest, token: str) -> HttpResponse:
    try:
        access = _open(request, token)
    except PadRefused as refused:
        return _refused(request, refused, as_json=False)
    ctx = _pad_context(request, access)
    showing = _now_showing(access, ctx.now)
    record(
        ctx,
        AuditEvent.Action.VIEW,
        access.run,
        client=access.run.visit.client,
        summary="client's feedback pad opened",
    )
    context = {
        "showing": showing,
        "buttons": FEEDBACK_BUTTONS,
        "token": token,
        "poll": POLL_SECONDS,
        # The phone's queue is kept per session, so a tap queued under one link is still
        # sent from a newer link (or the short code) of the same session.
        "queue_key": f"myomap-pad-run-{access.run.pk}",
    }
    response = render(request, "visits/pad.html", context)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"  # the token is in the address
    return response


@require_GET
def pad_state(request: HttpRequest, token: str) -> HttpResponse:
    """The current point's name and side, and whether a hold is active. Asked every few
    seconds, so not audited each time: the pad's opening is, and it shows nothing more."""
    try:
        access = _open(request, token)
    except PadRefused as refused:
        return _refused(request, refused, as_json=True)
    # Asked every second: an unchanged session is answered 304 with no body (its ETag sent
    # back as If-None-Match), after one query besides the token's.
    tag = f'"{session_queries.run_revision(access.run)}"'
    if request.headers.get("If-None-Match") == tag:
        response = HttpResponse(status=304)
    else:
        response = JsonResponse(_now_showing(access, timezone.now()))
    response["ETag"] = tag
    response["Cache-Control"] = "no-cache"
    return response


# Exempt from CSRF only because the signed token in the address is the credential: the
# pad has no session cookie to ride on, so a forged cross-site request gains nothing that
# the token's holder does not already have.
@csrf_exempt
@require_POST
def pad_events(request: HttpRequest, token: str) -> HttpResponse:
    """One tap: {"id": made on the phone, "kind": a feedback kind, "at": the phone's time,
    "sent": the phone's time when sent}. Recorded once by its id; refused with a reason."""
    try:
        access = _open(request, token)
    except PadRefused as refused:
        return _refused(request, refused, as_json=True)
    ctx = _pad_context(request, access)
    try:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError
    except ValueError:
        return _error("send the tap as a JSON object", "body")
    event_id, kind = data.get("id"), data.get("kind")
    if not isinstance(event_id, str) or not event_id.strip() or len(event_id) > ID_LIMIT:
        return _error(f"a tap needs the id made on the phone (at most {ID_LIMIT} characters)", "id")
    if kind not in FEEDBACK:
        return _error(f"unknown feedback {kind!r}: one of {', '.join(FEEDBACK)}", "kind")
    tapped = _aware(data.get("at"))
    if tapped is None:
        return _error("the tap's time needs its time zone (an offset or Z)", "at")
    at = on_server_clock(tapped, _aware(data.get("sent")), ctx.now)
    at -= session_queries.tablet_offset(access.run)
    event = session_actions.EventData(
        PREFIX + event_id.strip(), "feedback", at, {"kind": kind, "by": "pad"}, device_at=tapped
    )
    try:
        state = session_actions.record_pad_tap(ctx, access.run, event)
    except ActionError as exc:
        return _error(_for_the_client(exc), exc.field, exc.status)
    return JsonResponse({"recorded": True, **_showing(state)})


def _for_the_client(exc: ActionError) -> str:
    """A refusal in the client's words: no times, no field names."""
    if exc.field == "at" and exc.message.startswith("no hold was active"):
        return "No hold was going on when you tapped, so the tap was not recorded."
    if exc.field == "at":
        return "The tap came after the hold's time was up, so it was not recorded."
    return exc.message


def _aware(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is None or parsed.tzinfo is None or parsed.utcoffset() is None:
        return None
    return parsed


def _error(message: str, field: str | None, status: int = 400) -> HttpResponse:
    return JsonResponse({"detail": message, "field": field}, status=status)
