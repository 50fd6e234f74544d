"""Soreness not fading by 48 h, with a fixed, moved clock: a check-in answered "not fading"
asks again at 48 h after the session (the knowledge base's hour, past the 24-36 h in which
soreness usually fades), by a one-time link; still not fading alerts the therapist at once
(the alerts page shows it again, an e-mail goes out) and tells the client what to do;
fading by then, or fading at the check-in, asks or alerts nothing more.

The people are tests/personas.py's: alice (a Lakeside therapist); Dan Marlowe a client."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from pydantic import ValidationError
from test_aftercare_check_in import ANSWERS, SIGNED, deliver, signed_session, the_link

from myomap.accounts.models import Clinic
from myomap.aftercare.models import CheckIn, SorenessRecheck
from myomap.audit.models import AuditEvent
from myomap.core.kb import load_default
from myomap.core.kb.dosing import Aftercare
from myomap.jobs.models import Job

pytestmark = pytest.mark.django_db

CHECKED = SIGNED + dt.timedelta(hours=24)  # Tuesday 3 March 10:00 (London = UTC)
AGAIN = SIGNED + dt.timedelta(hours=48)  # Wednesday 4 March 10:00


def soreness_links(mail_folder) -> list[str]:
    found = []
    for path in sorted(mail_folder.glob("*.log")):
        found += re.findall(
            r"http://localhost:8000(/aftercare/soreness/[^/\s]+/)", path.read_text()
        )
    return found


def alert_mails(mail_folder) -> int:
    return sum(
        "Subject: A client's check-in needs you" in p.read_text() for p in mail_folder.glob("*.log")
    )


@pytest.fixture
def not_fading(people, queue, mail_folder, client, django_capture_on_commit_callbacks):
    """Dan's check-in, answered at 12:00 the next day: soreness 6, not fading."""
    Clinic.objects.filter(pk=people.lakeside.pk).update(time_zone="Europe/London")
    people.alice.email = "alice@lakeside.example"
    people.alice.save(update_fields=["email"])
    signed_session(people, django_capture_on_commit_callbacks)
    with time_machine.travel(CHECKED, tick=False):
        deliver(queue, CHECKED)
    link = the_link(mail_folder)
    answered = CHECKED + dt.timedelta(hours=2)
    with (
        time_machine.travel(answered, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        thanks = client.post(link, ANSWERS | {"soreness": "6", "fading": "no"})
    with time_machine.travel(answered, tick=False):
        deliver(queue, answered)  # the therapist's alert e-mail goes out
    return thanks.content.decode()


def test_the_knowledge_base_asks_again_at_48_hours_with_its_sources() -> None:
    care = load_default().aftercare
    assert care.soreness_recheck_hours.hours == 48
    assert care.soreness_recheck_hours.sources == ("myomap-brief", "nmt-clinic-pages")
    data = care.model_dump() | {
        "soreness_recheck_hours": {"hours": 30, "sources": ["myomap-brief"]}
    }
    with pytest.raises(ValidationError, match="must come after the 36 h"):
        Aftercare.model_validate(data)


def test_soreness_still_not_fading_at_48_hours_alerts_the_therapist(
    not_fading, people, queue, mail_folder, client, django_capture_on_commit_callbacks
) -> None:
    assert "will ask you again on Wednesday 4 March at 10:00." in not_fading
    check_in = CheckIn.objects.get()
    recheck = SorenessRecheck.objects.get()
    assert (recheck.check_in, recheck.due_at, recheck.answered_at) == (check_in, AGAIN, None)
    job = Job.objects.get(kind="aftercare.soreness_recheck")
    assert (job.run_at, job.status) == (AGAIN, "queued")
    assert check_in.alert == "soreness not fading"
    assert alert_mails(mail_folder) == 1
    client.force_login(people.alice)
    client.post(f"/aftercare/alerts/{check_in.pk}/seen/")
    assert CheckIn.objects.get().seen_at is not None
    client.logout()

    with time_machine.travel(AGAIN - dt.timedelta(minutes=1), tick=False):
        deliver(queue, AGAIN - dt.timedelta(minutes=1))
    assert soreness_links(mail_folder) == []
    with time_machine.travel(AGAIN, tick=False):
        assert "done" in deliver(queue, AGAIN)
    (link,) = soreness_links(mail_folder)
    mail = [
        p.read_text() for p in mail_folder.glob("*.log") if "/aftercare/soreness/" in p.read_text()
    ]
    assert "Subject: Is the soreness fading now? A question from Lakeside" in mail[0]
    assert "Low back pain" not in mail[0]

    answered = AGAIN + dt.timedelta(hours=1)
    with time_machine.travel(answered, tick=False):
        page = client.get(link).content.decode()
        assert "Dan, is the soreness fading now?" in page
        bad = client.post(link, {"soreness": "12", "fading": "no"})
        assert bad.status_code == 400 and "How sore are you now?" in bad.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            thanks = client.post(link, {"soreness": "5", "fading": "no"}).content.decode()
        assert client.get(link).status_code == 410  # once
        deliver(queue, answered)
    assert "Soreness that is still not fading needs your therapist." in thanks
    assert "Lakeside has been told and will contact you" in thanks
    # The signs of an emergency are sent to one now, as on the check-in's page, not "today".
    assert (
        "A change in passing urine or in your bowels, or numbness between your legs, needs a "
        "doctor now: go to an emergency department." in thanks
    )
    stored = SorenessRecheck.objects.get()
    assert (stored.soreness, stored.fading, stored.answered_at) == (5, False, answered)
    check_in = CheckIn.objects.get()
    assert (check_in.alert, check_in.seen_at) == ("soreness still not fading at 48 h", None)
    assert alert_mails(mail_folder) == 2
    assert AuditEvent.objects.filter(
        summary="soreness answered again", client=check_in.client
    ).exists()

    client.force_login(people.alice)
    alerts = client.get("/aftercare/alerts/").content.decode()
    assert "<strong>soreness still not fading at 48 h</strong>" in alerts
    assert "asked again 4 Mar 11:00: soreness 5/10, still not fading" in alerts


def test_fading_by_48_hours_alerts_nothing_more(
    not_fading, people, queue, mail_folder, client
) -> None:
    with time_machine.travel(AGAIN, tick=False):
        deliver(queue, AGAIN)
    (link,) = soreness_links(mail_folder)
    with time_machine.travel(AGAIN + dt.timedelta(hours=1), tick=False):
        thanks = client.post(link, {"soreness": "2", "fading": "yes"}).content.decode()
    assert "Good to hear it is fading." in thanks
    assert SorenessRecheck.objects.get().fading is True
    assert CheckIn.objects.get().alert == "soreness not fading"  # the first one only
    assert alert_mails(mail_folder) == 1


def test_soreness_fading_at_the_check_in_is_not_asked_again(
    people, queue, mail_folder, client, django_capture_on_commit_callbacks
) -> None:
    signed_session(people, django_capture_on_commit_callbacks)
    with time_machine.travel(CHECKED, tick=False):
        deliver(queue, CHECKED)
        thanks = client.post(the_link(mail_folder), ANSWERS).content.decode()
    assert "ask you again" not in thanks
    assert not SorenessRecheck.objects.exists()
    assert not Job.objects.filter(kind="aftercare.soreness_recheck").exists()
    with time_machine.travel(AGAIN, tick=False):
        deliver(queue, AGAIN)
    assert soreness_links(mail_folder) == []
