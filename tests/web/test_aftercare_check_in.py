"""The soreness check-in: a session's note signed at 10:00 asks, without anyone's action,
for a check-in e-mailed at 10:00 the next day (the knowledge base's soreness window
starts at 24 h); the e-mail's signed one-time link opens the check-in without a sign-in;
a second use, a replaced or an expired link says so; an answer out of range is refused
naming the question; an amendment signed later asks for nothing more.

The people are tests/personas.py's: alice (a Lakeside therapist); Dan Marlowe a client."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.db import transaction

from myomap.aftercare import actions
from myomap.aftercare.models import CheckIn
from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients import actions as client_actions
from myomap.core.kb import load_default
from myomap.jobs.models import Job
from myomap.records.errors import Invalid
from myomap.visits import actions as visit_actions
from personas import DAN_BORN, DAN_FAMILY_NAME, People

pytestmark = pytest.mark.django_db

SIGNED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
ANSWERS = {
    "soreness": "3",
    "fading": "yes",
    "pain_now": "2",
    "new_numbness": "no",
    "new_weakness": "no",
    "bladder_or_bowel": "no",
}


def deliver(huey: Any, at: dt.datetime) -> list[Any]:
    """A consumer at `at`: a task taken before its time goes to the schedule (None), the
    schedule's due tasks are queued, and what is queued runs. What the jobs returned."""
    results = []
    for _ in range(2):
        while (task := huey.dequeue()) is not None:
            results.append(huey.execute(task, at.replace(tzinfo=None)))
        for task in huey.read_schedule(at.replace(tzinfo=None)):
            huey.enqueue(task)
    return [r for r in results if r is not None]


def signed_session(people: People, captured, email: str = "dan@example.org"):
    ctx = Context(user=people.alice, now=SIGNED - dt.timedelta(hours=1))
    dan = client_actions.create_client(
        ctx,
        client_actions.ClientData(
            "Dan",
            DAN_FAMILY_NAME,
            DAN_BORN,
            email=email,
            treatment_consent=True,
            data_consent=True,
        ),
    )
    intake = client_actions.record_intake(
        ctx, dan, client_actions.IntakeData(complaint="Low back pain", pain_drawing={"sacrum": 4})
    )
    visit = visit_actions.start_visit(ctx, dan, intake)
    version = visit_actions.draft_note(ctx, visit)
    version = visit_actions.save_note(
        ctx,
        visit,
        revision=version.revision,
        subjective="S",
        objective="O",
        assessment="A",
        plan="P",
    )
    with captured(execute=True), transaction.atomic():
        visit_actions.sign_note(
            Context(user=people.alice, now=SIGNED), visit, revision=version.revision
        )
    return dan, visit


def the_link(mail_folder) -> str:
    (path,) = mail_folder.glob("*.log")
    found = re.search(r"http://localhost:8000(/aftercare/check-in/[^/\s]+/)", path.read_text())
    assert found is not None
    return found.group(1)


def test_a_session_signed_at_ten_sends_its_check_in_at_ten_the_next_day(
    people, queue, mail_folder, django_capture_on_commit_callbacks
) -> None:
    assert load_default().aftercare.soreness_hours.low == 24
    dan, visit = signed_session(people, django_capture_on_commit_callbacks)
    check_in = CheckIn.objects.get()
    assert (check_in.visit, check_in.session_at) == (visit, SIGNED)
    assert check_in.due_at == SIGNED + dt.timedelta(hours=24)
    job = Job.objects.get(kind="aftercare.check_in")
    assert (job.run_at, job.status, job.clinic_id) == (check_in.due_at, "queued", dan.clinic_id)

    with time_machine.travel(SIGNED + dt.timedelta(hours=23, minutes=59), tick=False):
        assert deliver(queue, SIGNED + dt.timedelta(hours=23, minutes=59)) == []
    assert not list(mail_folder.glob("*.log"))
    due = SIGNED + dt.timedelta(hours=24)
    with time_machine.travel(due, tick=False):
        assert deliver(queue, due) == ["done"]
    text = next(mail_folder.glob("*.log")).read_text()
    assert "Subject: How are you after your session at Lakeside?" in text
    assert "To: dan@example.org" in text
    assert "Low back pain" not in text  # nothing clinical in the e-mail
    stored = CheckIn.objects.get()
    assert (stored.sent_at, stored.expires_at) == (due, due + actions.LINK_VALID)


def test_the_link_opens_the_check_in_once_without_a_sign_in(
    people, queue, mail_folder, client, django_capture_on_commit_callbacks
) -> None:
    signed_session(people, django_capture_on_commit_callbacks)
    due = SIGNED + dt.timedelta(hours=24)
    with time_machine.travel(due, tick=False):
        deliver(queue, due)
    link = the_link(mail_folder)
    with time_machine.travel(due + dt.timedelta(hours=2), tick=False):
        page = client.get(link)
        assert page.status_code == 200
        assert "How are you after your session, Dan?" in page.content.decode()
        assert page["Referrer-Policy"] == "same-origin"  # the link never leaves the site
        # Out of range is refused naming the question, nothing stored.
        bad = client.post(link, ANSWERS | {"pain_now": "11"})
        assert bad.status_code == 400
        assert "Your usual pain now" in bad.content.decode()
        assert CheckIn.objects.get().answered_at is None
        done = client.post(link, ANSWERS)
        assert done.status_code == 200
        assert "Your answers are with Lakeside" in done.content.decode()
        again = client.get(link)
    stored = CheckIn.objects.get()
    assert (stored.soreness, stored.fading, stored.pain_now, stored.red_flag) == (3, True, 2, False)
    assert stored.answered_at == due + dt.timedelta(hours=2)
    assert again.status_code == 410
    assert "This check-in was answered on 3 Mar 2026 at 12:00: a link works once." in (
        again.content.decode()
    )
    event = AuditEvent.objects.get(summary="soreness check-in answered")
    assert event.client_id == stored.client_id


def test_a_red_flag_answer_tells_the_client_what_to_do(
    people, queue, mail_folder, client, django_capture_on_commit_callbacks
) -> None:
    signed_session(people, django_capture_on_commit_callbacks)
    due = SIGNED + dt.timedelta(hours=24)
    with time_machine.travel(due, tick=False):
        deliver(queue, due)
        answer = client.post(the_link(mail_folder), ANSWERS | {"bladder_or_bowel": "yes"})
    told = answer.content.decode()
    assert "A change in passing urine or in your bowels needs a doctor now." in told
    # Now, not "today"; and not "after back treatment": the session may have been the neck.
    assert "call your emergency number now" in told
    assert "back" not in told.split('role="alert"')[1].split("</p>")[0]
    assert CheckIn.objects.get().red_flag


def test_new_weakness_names_the_signs_that_cannot_wait_for_the_clinic(
    people, queue, mail_folder, client, django_capture_on_commit_callbacks
) -> None:
    signed_session(people, django_capture_on_commit_callbacks)
    due = SIGNED + dt.timedelta(hours=24)
    with time_machine.travel(due, tick=False):
        deliver(queue, due)
        answer = client.post(the_link(mail_folder), ANSWERS | {"new_weakness": "yes"})
    told = answer.content.decode()
    assert "New numbness or weakness needs checking." in told
    assert (
        "Numbness between your legs or around your bottom, or a leg getting weaker or "
        "giving way, needs a doctor now: go to an emergency department." in told
    )
    assert CheckIn.objects.get().new_weakness


def test_an_expired_or_forged_link_says_so(
    people, queue, mail_folder, client, django_capture_on_commit_callbacks
) -> None:
    signed_session(people, django_capture_on_commit_callbacks)
    due = SIGNED + dt.timedelta(hours=24)
    with time_machine.travel(due, tick=False):
        deliver(queue, due)
    link = the_link(mail_folder)
    with time_machine.travel(due + actions.LINK_VALID + dt.timedelta(minutes=1), tick=False):
        late = client.get(link)
    assert late.status_code == 410
    assert "This link expired on 5 Mar 2026 at 10:00." in late.content.decode()
    forged = client.get(link[:-5] + "xxxx/")
    assert "This link is not a check-in link of ours." in forged.content.decode()


def test_an_amendment_signed_later_asks_for_no_second_check_in(
    people, queue, django_capture_on_commit_callbacks
) -> None:
    _, visit = signed_session(people, django_capture_on_commit_callbacks)
    later = Context(user=people.alice, now=SIGNED + dt.timedelta(hours=2))
    amendment = visit_actions.amend_note(later, visit, "Dose of the second point corrected.")
    amendment = visit_actions.save_note(
        later,
        visit,
        revision=amendment.revision,
        subjective="S",
        objective="O2",
        assessment="A",
        plan="P",
    )
    visit_actions.sign_note(later, visit, revision=amendment.revision)
    assert CheckIn.objects.count() == 1
    assert Job.objects.filter(kind="aftercare.check_in").count() == 1
    assert Job.objects.filter(kind="aftercare.relief").count() == 1  # day 4's question
    assert CheckIn.objects.get().due_at == SIGNED + dt.timedelta(hours=24)


def test_a_client_without_an_address_gets_no_check_in(
    people, queue, django_capture_on_commit_callbacks
) -> None:
    signed_session(people, django_capture_on_commit_callbacks, email="")
    assert not CheckIn.objects.exists()
    assert not Job.objects.exists()
    with pytest.raises(Invalid):
        actions.answer_check_in(
            Context(user=people.alice),
            CheckIn(pk=0),
            soreness=12,
            fading=True,
            pain_now=1,
            new_numbness=False,
            new_weakness=False,
            bladder_or_bowel=False,
        )


def test_a_red_flag_or_soreness_not_fading_alerts_the_therapist_at_once(
    people, queue, mail_folder, client, django_capture_on_commit_callbacks
) -> None:
    type(people.alice).objects.filter(pk=people.alice.pk).update(email="alice@lakeside.example")
    signed_session(people, django_capture_on_commit_callbacks)
    due = SIGNED + dt.timedelta(hours=24)
    with time_machine.travel(due, tick=False):
        deliver(queue, due)
        link = the_link(mail_folder)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(link, ANSWERS | {"new_weakness": "yes", "fading": "no"})
        assert deliver(queue, due) == ["done"]  # the therapist's e-mail, sent at once
    stored = CheckIn.objects.get()
    assert stored.alert == "new weakness; soreness not fading"
    alert_mail = [p.read_text() for p in mail_folder.glob("*.log") if "alice@" in p.read_text()]
    assert len(alert_mail) == 1
    assert "Subject: A client's check-in needs you" in alert_mail[0]
    assert DAN_FAMILY_NAME not in alert_mail[0]  # the names are behind the sign-in

    client.force_login(people.alice)
    page = client.get("/aftercare/alerts/").content.decode()
    assert "Dan Marlowe" in page and "new weakness; soreness not fading" in page
    client.force_login(people.bob)  # another clinic's therapist
    assert "Dan Marlowe" not in client.get("/aftercare/alerts/").content.decode()
    assert client.post(f"/aftercare/alerts/{stored.pk}/seen/").status_code == 404

    client.force_login(people.alice)
    with time_machine.travel(due + dt.timedelta(hours=1), tick=False):
        answer = client.post(f"/aftercare/alerts/{stored.pk}/seen/")
    assert answer.status_code == 302
    seen = CheckIn.objects.get()
    assert (seen.seen_at, seen.seen_by) == (due + dt.timedelta(hours=1), people.alice)
    page = client.get("/aftercare/alerts/").content.decode()
    assert "No check-in needs you now." in page
    assert "seen 3 Mar 11:00 by Alice Moss" in page
