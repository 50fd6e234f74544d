"""A clinic admin loads a questionnaire's licensed wording as a file; the entry form then
shows each item's text and each answer's statement, and what is scored is unchanged.
Carol is Lakeside's clinic admin, Alice its therapist, Bob Hilltop's therapist
(tests/personas.py). The texts are made up: Myomap ships no licensed wording."""

from __future__ import annotations

import datetime as dt
import html
import json

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from records_fixtures import World, build_world

from myomap.audit.models import AuditEvent
from myomap.clients.models import Client
from myomap.core.kb import load_default
from myomap.outcomes.models import LicensedWording, QuestionnaireResponse

pytestmark = pytest.mark.django_db
PAGE = "/accounts/clinic/outcomes/wording/"
ODI = load_default().instruments["odi"]


@pytest.fixture
def world() -> World:
    return build_world()


def odi_yaml(licence: str = "Test licence 0001") -> bytes:
    document = {
        "instrument": "odi",
        "licence": licence,
        "items": {
            item.id: {
                "text": f"Made-up section {item.number}",
                "answers": [f"made-up statement {item.number}.{n}" for n in range(6)],
            }
            for item in ODI.items
        },
    }
    return yaml.safe_dump(document, allow_unicode=True).encode()


def upload(world: World, content: bytes, persona: str = "carol", instrument: str = "odi"):  # type: ignore[no-untyped-def]
    file = SimpleUploadedFile("odi.yaml", content, content_type="text/yaml")
    return world.web(persona).post(PAGE, {"instrument": instrument, "file": file})


def test_carol_loads_the_odi_wording_and_the_form_shows_it(world: World) -> None:
    page = world.web("carol").get(PAGE).content.decode()
    assert "ODI" in page and "STarT Back" in page and "NPRS" not in page.split("<h1")[1]
    answer = upload(world, odi_yaml())
    assert answer.status_code == 302
    stored = LicensedWording.objects.get()
    assert (stored.clinic_id, stored.instrument, stored.licence) == (
        world.lakeside.pk,
        "odi",
        "Test licence 0001",
    )
    assert stored.loaded_by == world.carol
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None and event.summary.startswith("ODI wording loaded (10 items")
    shown = world.web("carol").get(PAGE).content.decode()
    assert "under the licence “Test licence 0001”" in shown

    form = world.web("alice").get(f"/clients/{world.client.pk}/outcomes/odi/").content.decode()
    assert "as your clinic loaded it" in form and "Test licence 0001" in form
    assert "1. Made-up section 1" in form
    assert "5: made-up statement 3.5" in form
    assert 'type="radio"' in form


def test_an_answer_given_on_the_worded_form_is_scored_as_before(world: World) -> None:
    upload(world, odi_yaml())
    answers = {item.id: "2" for item in ODI.items}
    answer = world.web("alice").post(f"/clients/{world.client.pk}/outcomes/odi/", answers)
    assert answer.status_code == 302
    response = QuestionnaireResponse.objects.get()
    assert (response.instrument, response.total) == ("odi", 40.0)  # 20 of 50, x 2


def test_a_file_that_does_not_fit_is_refused_naming_the_item_and_nothing_is_kept(
    world: World,
) -> None:
    bad = yaml.safe_load(odi_yaml())
    bad["items"]["section-2"]["answers"] = bad["items"]["section-2"]["answers"][:5]
    answer = upload(world, yaml.safe_dump(bad).encode())
    assert answer.status_code == 400
    page = answer.content.decode()
    assert (
        "Not loaded: section 2 (section-2) takes 6 answers (scores 0 to 5), the file gives 5"
        in page
    )
    assert not LicensedWording.objects.exists()
    for content, words in (
        (b"\xff\xfe not text", "not UTF-8 text"),
        (b"items: [unclosed", "not valid YAML or JSON at line"),
        (
            json.dumps({"instrument": "startback", "licence": "x", "items": {}}).encode(),
            "is for 'startback', not 'odi'",
        ),
    ):
        refused = upload(world, content)
        assert refused.status_code == 400 and words in html.unescape(refused.content.decode())
    assert world.web("carol").post(PAGE, {"instrument": "odi"}).status_code == 400
    assert not LicensedWording.objects.exists()


def test_loading_again_replaces_and_remove_takes_it_away(world: World) -> None:
    upload(world, odi_yaml())
    upload(world, odi_yaml("Test licence 0002"))
    assert list(LicensedWording.objects.values_list("licence", flat=True)) == ["Test licence 0002"]
    answer = world.web("carol").post(PAGE, {"instrument": "odi", "remove": "1"})
    assert answer.status_code == 302 and not LicensedWording.objects.exists()
    form = world.web("alice").get(f"/clients/{world.client.pk}/outcomes/odi/").content.decode()
    assert "Made-up section" not in form and "not in its own words" in form


def test_only_the_clinic_admin_loads_and_another_clinic_never_sees_it(world: World) -> None:
    assert world.web("alice").get(PAGE).status_code == 403
    assert upload(world, odi_yaml(), persona="alice").status_code == 403
    assert not LicensedWording.objects.exists()
    upload(world, odi_yaml())
    # Hilltop's therapist opens the ODI form of a Hilltop client: numbers, not Lakeside's text
    hilltop = Client.objects.create(
        clinic=world.bob.clinic,
        given_name="Hana",
        family_name="Hill",
        date_of_birth=dt.date(1990, 2, 3),
        created_by=world.bob,
    )
    form = world.web("bob").get(f"/clients/{hilltop.pk}/outcomes/odi/")
    assert form.status_code == 200
    assert "Made-up section" not in form.content.decode()
    assert "not in its own words" in form.content.decode()
    assert world.web("bob").get(PAGE).status_code == 403
