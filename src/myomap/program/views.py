"""The therapist's pages (the invitation, the program editor on a visit) and the
client's page from the invitation link. Views parse, authorise, call one action or query,
render; every page showing health data is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from myomap.audit.log import Context, client_address, record
from myomap.audit.models import AuditEvent
from myomap.clients.queries import client_for
from myomap.clients.screening import screen_intake
from myomap.core import program as core
from myomap.core.kb import load_default
from myomap.program import actions, invitations, queries, signin_links
from myomap.program.forms import AcceptForm, DoseForm
from myomap.program.models import Program, ProgramItem
from myomap.records.access import staff_required
from myomap.records.errors import ActionError, Invalid
from myomap.records.qr import qr_data_uri
from myomap.visits.queries import visit_for


# ----------------------------------------------------------------------------- therapist
@require_POST
@staff_required
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    """A new one-time link for the client: e-mailed when the record has an address, and
    shown here as a QR code for the client to scan in the clinic."""
    client = client_for(request.user, pk)
    ctx = Context.of(request)
    site = request.build_absolute_uri("/").rstrip("/")
    invited = invitations.invite_client(ctx, client, site=site)
    url = site + invited.link_path
    context = {"client": client, "invited": invited, "url": url, "qr": qr_data_uri(url)}
    return render(request, "program/invite.html", context)


def _mid_sentence(name: str) -> str:
    """A muscle's name inside a sentence: "Gluteus medius" -> "gluteus medius" (an
    abbreviation such as "TFL" kept)."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def for_therapist(kb: Any, item: Any) -> str:
    """The reason an item is in the program as the therapist reads it: a self-release
    is of the client's point ("Self-release: left gluteus medius ... point, found active
    and treated"), not "your" point as the client's own page says."""
    point = kb.trigger_points.get(item.trigger_point) if item.trigger_point else None
    if point is None or not item.why.startswith("Self-release of your "):
        return str(item.why)
    side = f"{item.side} " if item.side else ""
    return f"Self-release: {side}{_mid_sentence(point.name)} point, found active and treated"


def _editor_context(request: HttpRequest, visit: Any, program: Program | None) -> dict[str, Any]:
    kb = load_default()
    refusals = queries.ruled_out(visit.client)
    items = queries.current_items(program)
    forms = [
        (
            item,
            kb.exercises.get(item.exercise),
            DoseForm.of(item),
            refusals.get(item.exercise),
            for_therapist(kb, item),
        )
        for item in items
    ]
    in_program = {i.exercise for i in items}
    choices = [
        (eid, ex.name, refusals.get(eid))
        for eid, ex in sorted(kb.exercises.items(), key=lambda e: e[1].name)
        if eid not in in_program
    ]
    return {
        "visit": visit,
        "client": visit.client,
        "screening": screen_intake(visit.intake),
        "program": program,
        "rows": forms,
        "choices": choices,
        "left_out": [
            (kb.exercises[e].name, why)
            for e, why in (program.left_out if program else [])
            if e in kb.exercises
        ],
        "cap": core.rules(kb).max_exercises,
        # "expert-opinion" read as words: "expert opinion".
        "cap_evidence": core.rules(kb).max_exercises.evidence.replace("-", " "),
    }


@require_http_methods(["GET", "POST"])
@staff_required
def editor(request: HttpRequest, pk: int) -> HttpResponse:
    """The visit's home program: build it from the visit, add, remove, reorder, dose."""
    visit = visit_for(request.user, pk)
    ctx = Context.of(request)
    program = queries.program_of(request.user, visit.client)
    status = 200
    error: ActionError | None = None
    if request.method == "POST":
        what = request.POST.get("do", "")
        anchor = (
            f"item-{request.POST.get('item', '')}" if request.POST.get("item") else "items-heading"
        )
        try:
            if what == "build":
                actions.build_program(ctx, visit)
                messages.success(request, "Home program built from this visit.")
            elif what == "add":
                program = actions.program_for_editing(ctx, visit.client, visit)
                added = actions.add_item(ctx, program, request.POST.get("exercise", ""))
                messages.success(request, f"Added {load_default().exercises[added.exercise].name}.")
            elif what in ("remove", "up", "down", "dose"):
                item = _item(request, program)
                name = _name(item)
                if what == "remove":
                    actions.remove_item(ctx, item)
                    messages.success(request, f"Removed {name}.")
                    anchor = "items-heading"
                elif what == "dose":
                    _set_dose(ctx, item, name, request)
                    messages.success(request, f"Dose of {name} saved.")
                else:
                    actions.move_item(ctx, item, what)
                    messages.success(request, f"Moved {name} {what}.")
            else:
                raise Invalid("unknown change", "do")
        except ActionError as exc:
            error, status = exc, exc.status
        else:
            # Back where the therapist was: the item just changed, not the top of the page.
            return redirect(reverse("portal:editor", args=[visit.pk]) + f"#{anchor}")
        program = queries.program_of(request.user, visit.client)
    else:
        record(ctx, AuditEvent.Action.VIEW, program or visit, summary="home program editor")
    context = _editor_context(request, visit, program) | {"error": error}
    return render(request, "program/editor.html", context, status=status)


def _name(item: ProgramItem) -> str:
    exercise = load_default().exercises.get(item.exercise)
    name = exercise.name if exercise else item.exercise
    return f"{name} ({item.side})" if item.side else name


def _set_dose(ctx: Context, item: ProgramItem, name: str, request: HttpRequest) -> None:
    """The dose from the item's form; a refusal names the exercise as well as the field
    (the page holds a form per exercise)."""
    form = DoseForm(request.POST)
    try:
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise Invalid(f"{field}: {errors[0]}", field)
        actions.set_dose(ctx, item, {n: form.cleaned_data[n] for n in core.DOSE_FIELDS})
    except Invalid as exc:
        raise Invalid(f"{name}: {exc.message}", exc.field) from None


def _item(request: HttpRequest, program: Program | None) -> ProgramItem:
    try:
        number = int(request.POST.get("item", ""))
    except ValueError:
        raise Invalid("which exercise?", "item") from None
    found: ProgramItem | None = (
        program.items.filter(pk=number, removed_at=None).first() if program else None
    )
    if found is None:
        raise Invalid("that exercise is no longer in the program", "item")
    return found


# ----------------------------------------------------------------------------- invitation
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, secret: str) -> HttpResponse:
    """The client's page from the invitation link: choose a username (unless the record
    has a sign-in already), set a password, consent to the portal."""
    ctx = Context.of(request)
    try:
        invitation = invitations.invitation_for(secret, ctx.now)
    except invitations.InvitationGone as exc:
        return render(request, "program/gone.html", {"message": exc.message}, status=exc.status)
    client = invitation.client
    has_login = client.user_id is not None
    form = AcceptForm(request.POST or None, has_login=has_login)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = invitations.accept_invitation(
                    ctx,
                    secret,
                    username=form.cleaned_data.get("username") or "",
                    password=form.cleaned_data["password"],
                    consent=form.cleaned_data["consent"],
                )
            except invitations.InvitationGone as exc:
                return render(
                    request, "program/gone.html", {"message": exc.message}, status=exc.status
                )
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, "Your password is set. This is your home program.")
                return redirect("portal:today")
    context = {
        "form": form,
        "clinic": client.clinic,
        "given_name": client.given_name,
        "has_login": has_login,
        "username": client.user.get_username() if client.user else "",
        "consent_text": invitations.CONSENT_TEXT,
    }
    return render(request, "program/accept.html", context, status=status)


SENT = (
    "If a client's portal sign-in has that address, a sign-in link is on its way: it works "
    "once, for {minutes} minutes. Nothing came? Check the address, or ask your clinic."
)


@require_http_methods(["GET", "POST"])
def ask_sign_in_link(request: HttpRequest) -> HttpResponse:
    """The sign-in page's "e-mail me a sign-in link", for clients: the same answer for an
    address that has a sign-in and one that has none."""
    if request.user.is_authenticated:
        return redirect("home")
    address = request.POST.get("email", "") if request.method == "POST" else ""
    error, status, sent = "", 200, False
    if request.method == "POST":
        try:
            signin_links.ask_for_link(
                Context.of(request),
                address,
                client_address(request),
                site=request.build_absolute_uri("/").rstrip("/"),
            )
        except ActionError as exc:
            error, status = exc.message, exc.status
        else:
            sent = True
    context = {
        "email": address,
        "error": error,
        "sent": SENT.format(minutes=signin_links.MINUTES) if sent else "",
        "minutes": signin_links.MINUTES,
    }
    return render(request, "program/sign_in_link.html", context, status=status)


@require_GET
def sign_in_with_link(request: HttpRequest, secret: str) -> HttpResponse:
    """The e-mailed link: a button signs in (a mail program opening the link to look at it
    uses nothing up), once, within its minutes. The button posts the secret in the form to
    `use_sign_in_link`, so that no record of the sign-in (the audit's path) holds it."""
    try:
        link = signin_links.link_for(secret, Context.of(request).now)
    except signin_links.LinkGone as exc:
        return _link_gone(request, exc)
    context = {"given_name": link.client.given_name, "clinic": link.client.clinic, "link": secret}
    return render(request, "program/sign_in.html", context)


@require_POST
def use_sign_in_link(request: HttpRequest) -> HttpResponse:
    """The sign-in page's button: uses the link up and signs the client in."""
    try:
        user = signin_links.use_link(Context.of(request), request.POST.get("link", ""))
    except signin_links.LinkGone as exc:
        return _link_gone(request, exc)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, "You are signed in. This is your home program.")
    return redirect("portal:today")


def _link_gone(request: HttpRequest, exc: signin_links.LinkGone) -> HttpResponse:
    context = {"message": exc.message, "ask_again": True}
    return render(request, "program/gone.html", context, status=exc.status)
