"""Relief followed day by day, with a fixed, moved clock: a session signed at 10:00 on
2 March asks "is the pain back?" on days 4, 7, 10 and 14 (the knowledge base's schedule)
at 10:00, each e-mailed as a one-time link; nothing is asked after the pain is back, and
the relief lasted as long as the answers say.

The people are tests/personas.py's: alice (a Lakeside therapist); Dan Marlowe a client."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from huey.storage import SqliteStorage
from test_aftercare_check_in import SIGNED, deliver, signed_session

from myomap.aftercare import relief
from myomap.aftercare.models import ReliefCheck
from myomap.jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(tmp_path):
    from myomap.jobs.queue import HUEY

    kept = HUEY._storage
    HUEY.storage = SqliteStorage("myomap", filename=str(tmp_path / "jobs.sqlite3"))
    yield HUEY
    HUEY.storage = kept


def links_in(mail_folder) -> list[str]:
    found = []
    for path in sorted(mail_folder.glob("*.log")):
        found += re.findall(r"http://localhost:8000(/aftercare/relief/[^/\s]+/)", path.read_text())
    return found


def day(n: int) -> dt.datetime:
    return SIGNED + dt.timedelta(days=n)


def test_relief_is_asked_on_the_schedules_days_until_the_pain_is_back(
    people, queue, mail_folder, client, django_capture_on_commit_callbacks
) -> None:
    _, visit = signed_session(people, django_capture_on_commit_callbacks)
    assert relief.schedule_days() == (4, 7, 10, 14)
    first = ReliefCheck.objects.get()
    assert (first.day, first.due_at) == (4, day(4))

    with time_machine.travel(day(4) - dt.timedelta(minutes=1), tick=False):
        deliver(queue, day(4) - dt.timedelta(minutes=1))  # the 24 h check-in only
    assert links_in(mail_folder) == []
    with time_machine.travel(day(4), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert "done" in deliver(queue, day(4))
    (link4,) = links_in(mail_folder)
    (mail,) = [p.read_text() for p in mail_folder.glob("*.log") if link4 in p.read_text()]
    # The page asks two things (back or not, the pain now): the e-mail says so.
    assert "Two quick\nquestions (is it back, and your pain now), no sign-in:" in mail
    assert ReliefCheck.objects.get(day=7).due_at == day(7)  # the next one, asked for

    with time_machine.travel(day(4) + dt.timedelta(hours=3), tick=False):
        page = client.get(link4)
        assert "4 days after your session at Lakeside" in page.content.decode()
        answer = client.post(link4, {"back": "no", "pain_now": "1"})
        assert "may ask again" in answer.content.decode()
        assert client.get(link4).status_code == 410  # once

    with time_machine.travel(day(7), tick=False), django_capture_on_commit_callbacks(execute=True):
        deliver(queue, day(7))
    link7 = links_in(mail_folder)[-1]
    assert link7 != link4
    with time_machine.travel(day(7) + dt.timedelta(hours=1), tick=False):
        client.post(link7, {"back": "yes", "pain_now": "5"})

    stored = {c.day: (c.back, c.pain_now) for c in ReliefCheck.objects.all()}
    assert stored == {4: (False, 1), 7: (True, 5), 10: (None, None)}
    assert Job.objects.get(key=f"relief:visit:{visit.pk}:day:10").status == "cancelled"
    # Nothing is asked after the pain is back: day 10 and 14 pass without mail.
    sent_before = len(links_in(mail_folder))
    for n in (10, 14):
        with time_machine.travel(day(n), tick=False):
            deliver(queue, day(n))
    assert len(links_in(mail_folder)) == sent_before
    assert not ReliefCheck.objects.filter(day=14).exists()
    assert relief.lasted(visit.pk).words() == "relief lasted 7 days"
    client.force_login(people.alice)
    page = client.get("/aftercare/alerts/").content.decode()
    assert "Dan Marlowe</a>, session of 2 Mar 2026: relief lasted 7 days" in page
    # Relief ended on day 7: come back on day 6 (8 March), with Alice's open times then.
    with time_machine.travel(day(5), tick=False):
        page = client.get("/aftercare/alerts/").content.decode()
    assert "Suggest rebooking on Sunday 8 Mar (day 6): relief lasted 7 days." in page
    assert "No open time with Alice Moss in the week from Sunday 8 Mar." in page  # no hours
    from myomap.appointments import actions as appointment_actions
    from myomap.audit.log import Context

    appointment_actions.set_weekly_hours(
        Context(user=people.alice), people.alice, [(0, dt.time(13), dt.time(17))]
    )
    with time_machine.travel(day(7) + dt.timedelta(hours=2), tick=False):
        page = client.get("/aftercare/alerts/").content.decode()
    # Seen on day 7 (Monday 9 March) the suggested day has passed: today's open times.
    assert (
        "Suggest rebooking on Sunday 8 Mar (day 6): relief lasted 7 days (that day has passed)."
    ) in page
    assert "Open with Alice Moss on Monday 9 Mar: " in page
    assert ">13:00</a>, <a" in page and "start=2026-03-09T13%3A00%3A00%2B00%3A00" in page
    client.force_login(people.bob)
    assert "relief lasted" not in client.get("/aftercare/alerts/").content.decode()


def test_an_answer_out_of_range_is_refused_naming_the_question(
    people, queue, mail_folder, client, django_capture_on_commit_callbacks
) -> None:
    signed_session(people, django_capture_on_commit_callbacks)
    with time_machine.travel(day(4), tick=False):
        deliver(queue, day(4))
        (link,) = links_in(mail_folder)
        bad = client.post(link, {"back": "no", "pain_now": "12"})
    assert bad.status_code == 400
    assert "Your pain now" in bad.content.decode()
    assert ReliefCheck.objects.get(day=4).answered_at is None


def test_questions_turned_off_after_the_session_send_nothing_and_ask_nothing_more(
    people, queue, mail_folder, client, django_capture_on_commit_callbacks
) -> None:
    """The client turned check-ins off (their stop link, or the record) after the session:
    the day-4 question makes no link and records nothing as sent, and no day 7 is asked."""
    from myomap.audit.log import Context
    from myomap.messaging import channels

    dan, visit = signed_session(people, django_capture_on_commit_callbacks)
    first = ReliefCheck.objects.get()
    channels.set_channels(Context(user=people.alice, now=day(1)), dan, {"aftercare": "none"})
    with time_machine.travel(day(4), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert "done" in deliver(queue, day(4))
    assert links_in(mail_folder) == []
    stored = ReliefCheck.objects.get(pk=first.pk)
    assert (stored.sent_at, stored.expires_at) == (None, None)
    assert list(ReliefCheck.objects.values_list("day", flat=True)) == [4]
    assert not Job.objects.filter(key=f"relief:visit:{visit.pk}:day:7").exists()
