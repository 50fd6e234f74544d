"""`myomap demo --clients N`: the demo clinic with N synthetic clients, each with an intake
screened clear and visits (findings, plans, signed notes), that the demo therapist then
sees on the client list and the client's page; a second run adds only what is missing,
`--remove` takes it all away, and a bad N is refused naming --clients."""

from __future__ import annotations

import pytest
from django.test import Client as Browser
from django.urls import reverse

from myomap.accounts.models import Clinic, User
from myomap.cli.main import main
from myomap.clients.models import Client, Intake
from myomap.visits.models import NoteVersion, PalpationFinding, PlanStep, Visit
from myomap.web.demo import CLINIC_NAME, DEMO_THERAPIST
from myomap.web.demo_clinic import KEY_PREFIX

pytestmark = pytest.mark.django_db


def synthetic() -> list[Client]:
    return list(Client.objects.filter(create_key__startswith=KEY_PREFIX).order_by("create_key"))


def seeded(capsys: pytest.CaptureFixture[str], count: str) -> str:
    assert main(["demo", "--clients", count]) == 0
    return capsys.readouterr().out


def demo_browser() -> Browser:
    browser = Browser()
    assert browser.login(username=DEMO_THERAPIST.username, password=DEMO_THERAPIST.password)
    return browser


def test_it_adds_clients_with_a_clear_intake_and_visits_to_the_demo_clinic(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = seeded(capsys, "30")
    assert "Demo therapist login: demo / myomap-demo" in out
    assert "Seeding clients: 30/30" in out and "Added 30 synthetic clients" in out
    clients = synthetic()
    clinic = Clinic.objects.get(name=CLINIC_NAME)
    assert len(clients) == 30 and {c.clinic_id for c in clients} == {clinic.pk}
    assert all(c.treatment_consent_at and c.data_consent_at for c in clients)
    intakes = Intake.objects.filter(client__in=clients)
    assert intakes.count() == 30 and {i.gate for i in intakes} == {Intake.Gate.CLEAR}
    assert intakes.exclude(pain_drawing={}).count() >= 20
    visits = Visit.objects.filter(client__in=clients)
    assert 30 <= visits.count() <= 60  # 1.5 a client on average
    assert PalpationFinding.objects.filter(visit__in=visits).exists()
    assert PlanStep.objects.filter(visit__in=visits).exists()
    assert NoteVersion.objects.filter(note__visit__in=visits, signed_at__isnull=False).exists()
    # Names from the lists, accented ones among them.
    assert any(not (c.given_name + c.family_name).isascii() for c in clients)


def test_the_demo_therapist_finds_a_synthetic_client_and_opens_their_visit(
    capsys: pytest.CaptureFixture[str],
) -> None:
    seeded(capsys, "30")
    visit = (
        Visit.objects.filter(client__create_key__startswith=KEY_PREFIX)
        .filter(note__versions__signed_at__isnull=False)
        .select_related("client", "intake")
        .first()
    )
    assert visit is not None
    client = visit.client
    browser = demo_browser()
    listed = browser.get(reverse("clients:list"), {"q": client.family_name})
    assert listed.status_code == 200
    assert f"{client.family_name}, {client.given_name}" in listed.content.decode()
    page = browser.get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert visit.intake.complaint[:40] in page
    assert reverse("visits:detail", args=[visit.pk]) in page
    note = browser.get(reverse("visits:note", args=[visit.pk]))
    assert note.status_code == 200
    signed = NoteVersion.objects.get(note__visit=visit)
    assert signed.assessment.splitlines()[0][:40] in note.content.decode()


def test_running_it_again_adds_only_the_missing_clients(
    capsys: pytest.CaptureFixture[str],
) -> None:
    seeded(capsys, "30")
    first = [(c.create_key, c.given_name, c.family_name) for c in synthetic()]
    visits = Visit.objects.count()
    out = seeded(capsys, "30")
    assert "The demo data is there already" in out
    assert "has 30 synthetic clients already; none added" in out
    assert len(synthetic()) == 30 and Visit.objects.count() == visits
    out = seeded(capsys, "35")
    assert "Seeding clients: 35/35" in out and "Added 5 synthetic clients" in out
    now = [(c.create_key, c.given_name, c.family_name) for c in synthetic()]
    assert len(now) == 35 and now[:30] == first  # the same clients, five more
    assert User.objects.filter(username=DEMO_THERAPIST.username).count() == 1


def test_remove_takes_the_synthetic_clients_away_with_the_demo_clinic(
    capsys: pytest.CaptureFixture[str],
) -> None:
    seeded(capsys, "30")
    assert main(["demo", "--remove"]) == 0
    assert "Removed the demo clinic and the demo accounts: demo, demo-admin." in (
        capsys.readouterr().out
    )
    assert not Clinic.objects.filter(name=CLINIC_NAME).exists()
    assert Client.objects.count() == Visit.objects.count() == Intake.objects.count() == 0
    assert NoteVersion.objects.count() == 0
    assert not User.objects.filter(username=DEMO_THERAPIST.username).exists()


@pytest.mark.parametrize("value", ["0", "-5", "ten", "2.5", "100001"])
def test_a_bad_number_of_clients_is_refused_naming_the_option(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--clients", value])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "--clients" in err and "a whole number from 1 to 100,000" in err
    assert f"not '{value}'" in err
    assert not Clinic.objects.exists()


def test_clients_and_remove_are_not_given_together(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--clients", "5", "--remove"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_it_is_refused_with_secure_settings_on(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MYOMAP_SECURE_COOKIES", "1")
    assert main(["demo", "--clients", "30"]) == 2
    assert "refused with MYOMAP_SECURE_COOKIES on" in capsys.readouterr().err
    assert not Client.objects.exists()
