"""Two people, one note: alice and frank (both Lakeside therapists) open Dan's draft note
at the same revision. Whoever saves second is told someone else saved, keeps every word
they typed, and overwrites nothing. A signed note is locked; an amendment is version 2
and version 1 stays readable."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client as Browser
from records_fixtures import World, build_world

from myomap.audit.models import AuditEvent
from myomap.visits.models import NoteVersion

pytestmark = pytest.mark.django_db

ALICE_TEXT = {
    "subjective": "Alice: pain down to 3/10 since the last visit.",
    "objective": "Alice: QL less tender on the left.",
    "assessment": "Alice: improving.",
    "plan": "Alice: continue the home stretches.",
}
FRANK_TEXT = {
    "subjective": "Frank: pain worse after lifting boxes at the weekend.",
    "objective": "Frank: taut band in the left gluteus medius.",
    "assessment": "Frank: flare-up.",
    "plan": "Frank: lighter pressure next time.",
}


@pytest.fixture
def world() -> World:
    return build_world()


def note_url(world: World, visit: Any = None) -> str:
    return f"/visits/{(visit or world.visit).pk}/note/"


def open_note(browser: Browser, url: str) -> int:
    """Open the note page as a person would; the revision the form carries."""
    page = browser.get(url)
    assert page.status_code == 200
    found = re.search(r'name="revision" value="(\d+)"', page.content.decode())
    assert found, "the draft form carries the revision it was read at"
    return int(found.group(1))


def save(
    browser: Browser, url: str, revision: int, text: dict[str, str], button: str = "save"
) -> Any:
    return browser.post(url + "save/", {"revision": revision, **text, button: ""})


def current(world: World, visit: Any = None) -> NoteVersion:
    return NoteVersion.objects.filter(note__visit=visit or world.visit).order_by("-number").first()


def test_the_second_therapist_to_save_gets_a_409_and_keeps_their_text(world: World) -> None:
    alice, frank, url = world.web("alice"), world.web("frank"), note_url(world)
    opened_by_alice, opened_by_frank = open_note(alice, url), open_note(frank, url)
    assert opened_by_alice == opened_by_frank

    assert save(alice, url, opened_by_alice, ALICE_TEXT).status_code == 302
    conflict = save(frank, url, opened_by_frank, FRANK_TEXT)

    assert conflict.status_code == 409
    page = conflict.content.decode()
    assert "someone else saved this note since you opened it" in page
    for typed in FRANK_TEXT.values():  # nothing Frank typed is lost: it is still in the form
        assert re.search(r"<textarea[^>]*>\s*" + re.escape(typed) + r"\s*</textarea>", page)
    stored = current(world)
    assert {f: getattr(stored, f) for f in ALICE_TEXT} == ALICE_TEXT
    assert stored.author == world.alice and stored.revision == opened_by_alice + 1


def test_after_the_conflict_frank_reloads_sees_alices_words_and_can_save(world: World) -> None:
    alice, frank, url = world.web("alice"), world.web("frank"), note_url(world)
    revision = open_note(alice, url)
    save(alice, url, revision, ALICE_TEXT)
    assert save(frank, url, revision, FRANK_TEXT).status_code == 409

    fresh = open_note(frank, url)
    assert ALICE_TEXT["subjective"] in frank.get(url).content.decode()
    assert save(frank, url, fresh, FRANK_TEXT).status_code == 302
    assert current(world).subjective == FRANK_TEXT["subjective"]


def test_signing_a_note_someone_else_changed_is_refused_and_nothing_is_signed(
    world: World,
) -> None:
    alice, frank, url = world.web("alice"), world.web("frank"), note_url(world)
    revision = open_note(alice, url)
    assert open_note(frank, url) == revision
    save(alice, url, revision, ALICE_TEXT)

    refused = save(frank, url, revision, FRANK_TEXT, button="sign")

    assert refused.status_code == 409
    assert FRANK_TEXT["plan"] in refused.content.decode()
    stored = current(world)
    assert not stored.is_signed and stored.subjective == ALICE_TEXT["subjective"]


def test_a_refused_signature_saves_nothing_and_the_next_save_does_not_conflict(
    world: World,
) -> None:
    world.no_session()  # a note is not signed while its guided session runs
    alice, url = world.web("alice"), note_url(world)
    revision = open_note(alice, url)
    before = current(world)
    empty = dict.fromkeys(ALICE_TEXT, "")

    refused = save(alice, url, revision, empty, button="sign")

    assert refused.status_code == 400
    assert "an empty note cannot be signed" in refused.content.decode()
    after = current(world)
    assert (after.revision, after.subjective, after.signed_at) == (
        before.revision,
        before.subjective,
        None,
    )
    # She fills the note in and signs, from the same page: no conflict with herself.
    signed = save(alice, url, revision, ALICE_TEXT, button="sign")
    assert signed.status_code == 302
    assert current(world).is_signed and current(world).signed_by == world.alice


def test_through_the_api_the_second_save_gets_409_with_a_clear_detail(world: World) -> None:
    path = f"/api/visits/{world.visit.pk}/note"
    alice, frank = world.api("alice"), world.api("frank")
    read_by_alice = alice.get(path).json()["current"]["revision"]
    read_by_frank = frank.get(path).json()["current"]["revision"]
    assert read_by_alice == read_by_frank

    first = alice.put(path, {"revision": read_by_alice, **ALICE_TEXT}, "application/json")
    second = frank.put(path, {"revision": read_by_frank, **FRANK_TEXT}, "application/json")

    assert first.status_code == 200 and first.json()["revision"] == read_by_alice + 1
    assert second.status_code == 409
    assert second.json() == {
        "detail": "someone else saved this note since you opened it: reload to see their "
        "changes, then make yours again",
        "field": None,
    }
    assert alice.get(path).json()["current"]["subjective"] == ALICE_TEXT["subjective"]


def test_a_signed_note_cannot_be_edited_on_the_page_or_through_the_api(world: World) -> None:
    visit = world.signed_visit
    alice, url = world.web("alice"), note_url(world, visit)
    page = alice.get(url).content.decode()
    assert "signed" in page and 'name="revision"' not in page  # no edit form to fill in
    signed = current(world, visit)
    events = AuditEvent.objects.exclude(action="view").count()

    edited = save(alice, url, signed.revision, FRANK_TEXT)
    assert edited.status_code == 409
    assert "the note is signed and locked: amend it to change it" in edited.content.decode()
    redrafted = alice.post(url + "draft/")
    assert redrafted.status_code == 409
    api = world.api("alice").put(
        f"/api/visits/{visit.pk}/note",
        {"revision": signed.revision, **FRANK_TEXT},
        "application/json",
    )
    assert api.status_code == 409 and "signed" in api.json()["detail"]

    after = current(world, visit)
    assert (after.pk, after.revision, after.subjective) == (
        signed.pk,
        signed.revision,
        signed.subjective,
    )
    assert AuditEvent.objects.exclude(action="view").count() == events


def test_amending_makes_version_2_and_version_1_stays_readable(world: World) -> None:
    visit = world.signed_visit
    alice, url = world.web("alice"), note_url(world, visit)
    original = current(world, visit)

    amended = alice.post(url + "amend/", {"reason": "Added the home program."})
    assert amended.status_code == 302

    page = alice.get(url).content.decode()
    assert "Version 2" in page and "amendment: Added the home program." in page
    assert re.search(r"Version 1 — signed .* by Alice Moss", page), "version 1 is in the history"
    first_line = original.subjective.splitlines()[0]
    assert page.count(first_line) >= 2, "version 1's text is readable beside the new draft"

    revision = open_note(alice, url)
    assert save(alice, url, revision, ALICE_TEXT, button="sign").status_code == 302
    versions = list(NoteVersion.objects.filter(note__visit=visit).order_by("number"))
    assert [(v.number, v.is_signed) for v in versions] == [(1, True), (2, True)]
    assert versions[0].subjective == original.subjective
    assert versions[1].subjective == ALICE_TEXT["subjective"]
    # Dan reads both versions too.
    dans_view = world.web("dan").get(url).content.decode()
    assert "Version 1" in dans_view and ALICE_TEXT["subjective"] in dans_view
