"""Consent before health data: no intake is recorded for a client until their consent to
treatment and to the recording of their health data is on record, written (the new-client
form's boxes) or verbal, with who took it and when.

The people are tests/personas.py's (`build_world`): Nora Quill is a new Lakeside client
who has not consented yet; Dan Marlowe's record is dan's own."""

from __future__ import annotations

import datetime as dt

import pytest
from records_fixtures import (
    LOW_BACK,
    NEW_CLIENT,
    World,
    _intake_form,
    build_world,
    last_event_id,
    new_events,
    snapshot,
)

from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients import actions
from myomap.clients.models import Client, ClientRevision, Intake
from myomap.records.errors import Invalid

pytestmark = pytest.mark.django_db

VERBAL = {
    "treatment_consent": "on",
    "data_consent": "on",
    "how": "verbal",
    "note": "Agreed on the phone when booking.",
}
NOON = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def nora(world: World) -> Client:
    """A Lakeside client created without either consent."""
    return actions.create_client(
        Context(user=world.alice, via="cli"),
        actions.ClientData("Nora", "Quill", dt.date(1975, 9, 30)),
    )


def test_an_intake_is_refused_for_a_client_without_consent(world: World, nora: Client) -> None:
    with pytest.raises(Invalid) as refused:
        actions.record_intake(
            Context(user=world.alice), nora, actions.IntakeData("Neck pain", LOW_BACK)
        )
    assert refused.value.field == "treatment_consent"
    assert "treatment consent and health data consent" in refused.value.message
    assert not Intake.objects.filter(client=nora).exists()


def test_one_consent_is_not_enough_and_the_missing_one_is_named(world: World, nora: Client) -> None:
    ctx = Context(user=world.alice)
    actions.record_consent(ctx, nora, actions.ConsentData(treatment_consent=True))
    with pytest.raises(Invalid) as refused:
        actions.record_intake(ctx, nora, actions.IntakeData("Neck pain", LOW_BACK))
    assert refused.value.field == "data_consent"
    assert "health data consent" in refused.value.message
    assert not Intake.objects.filter(client=nora).exists()


def test_the_intake_page_of_a_client_without_consent_links_to_the_consent_form(
    world: World, nora: Client
) -> None:
    web = world.web("alice")
    page = web.get(f"/clients/{nora.pk}/intake/new/").content.decode()
    assert "Consent is not on record" in page
    assert f'href="/clients/{nora.pk}/#consent"' in page
    assert 'name="complaint"' not in page  # nothing to type that would be refused

    # A post anyway (an old tab) stores nothing and shows the same page.
    response = web.post(f"/clients/{nora.pk}/intake/new/", {"complaint": "Neck pain"})
    assert response.status_code == 200
    assert "Consent is not on record" in response.content.decode()
    assert not Intake.objects.filter(client=nora).exists()

    detail = web.get(f"/clients/{nora.pk}/").content.decode()
    assert 'id="consent"' in detail and "Record consent" in detail
    assert detail.count("not recorded") == 2


def test_verbal_consent_is_recorded_with_who_took_it_and_when(world: World, nora: Client) -> None:
    web = world.web("alice")
    first = last_event_id()
    response = web.post(f"/clients/{nora.pk}/consent/", VERBAL)
    assert response.status_code == 302 and response["Location"] == f"/clients/{nora.pk}/"

    nora.refresh_from_db()
    for kind in ("treatment_consent", "data_consent"):
        assert getattr(nora, f"{kind}_at") is not None
        assert getattr(nora, f"{kind}_by") == world.alice
        assert getattr(nora, f"{kind}_how") == "verbal"
        assert getattr(nora, f"{kind}_note") == "Agreed on the phone when booking."
    revision = ClientRevision.objects.get(client=nora)
    assert revision.previous["treatment_consent_at"] is None
    assert revision.changed["treatment_consent_by"] == "alice"
    assert revision.changed_by == world.alice
    [event] = new_events(first)
    assert event.action == AuditEvent.Action.UPDATE and event.client == nora
    assert event.summary == "consent recorded: treatment, health data (verbal)"

    page = web.get(f"/clients/{nora.pk}/").content.decode()
    assert "verbal · recorded by Alice Moss — Agreed on the phone when booking." in page
    assert "not recorded" not in page and 'id="consent"' not in page
    assert 'name="complaint"' in web.get(f"/clients/{nora.pk}/intake/new/").content.decode()
    response = web.post(f"/clients/{nora.pk}/intake/new/", _intake_form(world))
    assert response.status_code == 302
    assert Intake.objects.get(client=nora).complaint == "Neck pain at the desk"


def test_the_time_of_a_consent_is_the_actions_moment(world: World, nora: Client) -> None:
    ctx = Context(user=world.frank, now=NOON)
    actions.record_consent(
        ctx, nora, actions.ConsentData(data_consent=True, how="written", note="")
    )
    nora.refresh_from_db()
    assert nora.data_consent_at == NOON and nora.data_consent_by == world.frank
    assert nora.treatment_consent_at is None
    assert nora.missing_consents == ["treatment_consent"]


def test_consent_without_a_box_ticked_is_refused_and_changes_nothing(
    world: World, nora: Client
) -> None:
    before, first = snapshot(audit=False), last_event_id()
    response = world.web("alice").post(
        f"/clients/{nora.pk}/consent/", {"how": "verbal", "note": "Said yes"}
    )
    assert response.status_code == 400
    assert "tick the consent the client gave" in response.content.decode()
    assert snapshot(audit=False) == before
    assert [e.action for e in new_events(first)] == ["view"]  # the page it shows again


def test_consent_given_on_the_new_client_form_is_written_consent(world: World) -> None:
    body = NEW_CLIENT | {"treatment_consent": "on", "data_consent": "on"}
    response = world.web("carol").post("/clients/new/", body)
    assert response.status_code == 302
    client = Client.objects.get(family_name="Quill")
    assert client.treatment_consent_by == world.carol and client.treatment_consent_how == "written"
    assert client.data_consent_by == world.carol and client.missing_consents == []
    page = world.web("carol").get(f"/clients/{client.pk}/").content.decode()
    assert "written (signed form) · recorded by Carol Hart" in page


def test_the_api_records_consent_and_then_takes_the_intake(world: World, nora: Client) -> None:
    api = world.api("alice")
    refused = api.post(
        f"/api/clients/{nora.pk}/intakes",
        {"complaint": "Neck pain", "pain_drawing": {"sacrum": 4}},
        content_type="application/json",
    )
    assert refused.status_code == 400 and refused.json()["field"] == "treatment_consent"
    assert not Intake.objects.filter(client=nora).exists()

    body = {"treatment_consent": True, "data_consent": True, "how": "verbal", "note": "By phone"}
    response = api.post(f"/api/clients/{nora.pk}/consent", body, content_type="application/json")
    assert response.status_code == 200, response.json()
    consent = response.json()["consent"]
    assert consent["treatment"]["given"] and consent["treatment"]["by"] == "alice"
    assert consent["data"]["how"] == "verbal" and consent["data"]["note"] == "By phone"
    nora.refresh_from_db()
    assert nora.missing_consents == [] and nora.data_consent_how == "verbal"
    assert api.get(f"/api/clients/{nora.pk}").json()["consent"] == consent

    taken = api.post(
        f"/api/clients/{nora.pk}/intakes",
        {"complaint": "Neck pain", "pain_drawing": {"sacrum": 4}},
        content_type="application/json",
    )
    assert taken.status_code == 201 and Intake.objects.filter(client=nora).count() == 1


def test_the_api_refuses_a_consent_given_in_an_unknown_way(world: World, nora: Client) -> None:
    before = snapshot()
    response = world.api("alice").post(
        f"/api/clients/{nora.pk}/consent",
        {"treatment_consent": True, "how": "telepathy"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert snapshot() == before
    with pytest.raises(Invalid) as refused:
        actions.record_consent(
            Context(user=world.alice), nora, actions.ConsentData(True, True, how="nodded")
        )
    assert refused.value.field == "how"


def test_recording_consent_again_keeps_the_earlier_record(world: World) -> None:
    dan = world.client
    earlier = dan.treatment_consent_at
    actions.record_consent(
        Context(user=world.frank, now=NOON),
        dan,
        actions.ConsentData(treatment_consent=True, how="verbal", note="Confirmed again."),
    )
    dan.refresh_from_db()
    assert dan.treatment_consent_at == NOON and dan.treatment_consent_by == world.frank
    revision = ClientRevision.objects.get(client=dan)
    assert revision.previous["treatment_consent_at"] == earlier.isoformat()
    assert revision.previous["treatment_consent_how"] == "written"
    assert revision.previous["treatment_consent_by"] == "alice"
    page = world.web("alice").get(f"/clients/{dan.pk}/").content.decode()
    assert "Changes" in page and "Treatment consent: how" in page


def test_a_client_login_cannot_record_consent_and_another_clinic_sees_nothing(
    world: World, nora: Client
) -> None:
    before, first = snapshot(audit=False), last_event_id()
    assert world.web("dan").post(f"/clients/{world.client.pk}/consent/", VERBAL).status_code == 403
    body = {"treatment_consent": True, "how": "verbal"}
    dan_api = world.api("dan").post(
        f"/api/clients/{world.client.pk}/consent", body, content_type="application/json"
    )
    assert dan_api.status_code == 403
    assert world.web("bob").post(f"/clients/{nora.pk}/consent/", VERBAL).status_code == 404
    bob_api = world.api("bob").post(
        f"/api/clients/{nora.pk}/consent", body, content_type="application/json"
    )
    assert bob_api.status_code == 404 and "Quill" not in bob_api.content.decode()
    assert snapshot(audit=False) == before
    # Only bob's attempts are logged, as refused, for Lakeside; dan's 403s are not.
    refused = {(e.action, e.actor) for e in new_events(first)}
    assert refused == {(AuditEvent.Action.REFUSED, world.bob)}
    page = world.web("dan").get(f"/clients/{world.client.pk}/").content.decode()
    assert "Record consent" not in page and "/edit/" not in page


def test_the_record_links_contact_details_and_says_which_visits_have_no_note() -> None:
    """The e-mail and phone are tapped to write or call; a visit without a note says so
    instead of linking to an empty note page."""
    from records_fixtures import build_world

    world = build_world()
    Client.objects.filter(pk=world.client.pk).update(email="dan@example.org", phone="0400 111 222")
    page = world.web("alice").get(f"/clients/{world.client.pk}/").content.decode()
    assert '<a href="mailto:dan@example.org">dan@example.org</a>' in page
    assert '<a href="tel:0400111222">0400 111 222</a>' in page
    assert f'href="/visits/{world.signed_visit.pk}/note/">note</a>' in page
    empty = page.split(f'href="/visits/{world.empty_visit.pk}/"')[1].split("</li>")[0]
    assert "no note yet" in empty and "/note/" not in empty
