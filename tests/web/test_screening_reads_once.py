"""Every tab of a visit screens its intake, and reading the medications text is the costly
part: each text is read once per process. A corrected text is a new text, read anew: the
intake page and the visit's tabs ask about the medicines it names now, never the old ones."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.test import Client as Browser

from myomap.accounts.models import User
from myomap.audit.log import Context
from myomap.clients import actions, screening
from myomap.clients.models import Intake
from myomap.core.kb import load_default
from myomap.core.medications import match_medications
from myomap.visits import actions as visits

pytestmark = pytest.mark.django_db

WARFARIN = "The medications mention Warfarin (a blood-thinning medicine)"
PREDNISOLONE = "The medications mention prednisolone (a steroid medicine)"
LOW_BACK = {"lumbar-upper-left": 7, "lumbar-lower-left": 5}


def test_a_text_is_read_once_and_as_the_core_reads_it() -> None:
    kb = load_default()
    text = "Warfarin 5 mg daily; prednisolone 10 mg for 2 years"
    first = screening.named_medicines(kb, text)
    assert first == match_medications(kb, text) and len(first) == 2
    assert screening.named_medicines(kb, text) is first  # kept, not read again
    assert screening.named_medicines(kb, "Paracetamol when needed") == ()
    # another knowledge base (a clinic's own folder): nothing read with the old one is used
    other = dataclasses.replace(kb)
    again = screening.named_medicines(other, text)
    assert again == first and again is not first


def test_a_corrected_medications_text_is_screened_anew_on_every_page(alice: User) -> None:
    ctx = Context(user=alice, via="cli")
    client = actions.create_client(
        ctx,
        actions.ClientData(
            "Iris", "Penhale", dt.date(1958, 3, 4), treatment_consent=True, data_consent=True
        ),
    )
    data = actions.IntakeData("Low back pain", LOW_BACK, medications="Warfarin 5 mg daily")
    intake = actions.record_intake(ctx, client, data)
    visit = visits.start_visit(ctx, client, intake)
    browser = Browser()
    browser.force_login(alice)
    pages = [f"/clients/intakes/{intake.pk}/", f"/visits/{visit.pk}/", f"/visits/{visit.pk}/note/"]
    assert WARFARIN in browser.get(pages[0]).content.decode()
    before = {path: browser.get(path).content.decode() for path in pages[1:]}
    assert all("Contraindications and precautions" in page for page in before.values())
    assert all("anticoagul" in page.lower() for page in before.values()), before

    corrected = dataclasses.replace(data, medications="Prednisolone 10 mg for 2 years")
    actions.update_intake(ctx, intake, corrected, "The client named the wrong medicine.")
    assert Intake.objects.get(pk=intake.pk).medications == "Prednisolone 10 mg for 2 years"
    intake_page = browser.get(pages[0]).content.decode()
    assert WARFARIN not in intake_page
    assert PREDNISOLONE.replace("prednisolone", "Prednisolone") in intake_page
    for path in pages[1:]:
        page = browser.get(path).content.decode()
        assert "Blood-thinning" not in page and "anticoagul" not in page.lower(), path
