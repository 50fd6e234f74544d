"""A client's private calendar feed: made and revoked by the clinic from the client's
record, one live link per client, carrying only "Appointment at <clinic>" and the times
(parsed back with icalendar; no clinical text, no names); a cancelled appointment leaves
it; a revoked, replaced or tampered link answers 404; the client sees the link on the
check-in's and the relief question's thanks pages. With a fixed clock.

The people are tests/personas.py's: alice (a Lakeside therapist), bob (a Hilltop
therapist); Dan Marlowe a Lakeside client (with the world of test_aftercare_rebooking)."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
import time_machine
from test_aftercare_check_in import ANSWERS
from test_aftercare_rebooking import SIGNED, london, queue, relief_link, world  # noqa: F401

from myomap.aftercare import actions as aftercare_actions
from myomap.aftercare import links
from myomap.aftercare.models import CheckIn, ReliefCheck
from myomap.appointments import actions
from myomap.appointments.models import ClientFeed
from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from personas import DAN_FAMILY_NAME

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<code id="client-feed-link">http://testserver([^<]+)</code>')


@pytest.fixture
def booked(world, people):  # noqa: F811
    dan, _, visit = world
    ctx = Context(user=people.alice, now=SIGNED)
    monday = actions.book(
        ctx, client=dan, therapist=people.alice, starts_at=london(9, 10), minutes=60
    )
    wednesday = actions.book(
        ctx, client=dan, therapist=people.alice, starts_at=london(11, 14), minutes=45
    )
    return dan, visit, monday, wednesday


def make_link(client, dan) -> str:
    answer = client.post(f"/appointments/client/{dan.pk}/feed/", {"do": "new"})
    assert answer.status_code == 302 and answer["Location"].endswith("#calendar-link")
    found = LINK.search(client.get(f"/clients/{dan.pk}/").content.decode())
    assert found is not None
    return found.group(1)


def test_the_clinic_makes_a_client_feed_that_carries_only_times_and_the_clinic(
    booked, client, people
) -> None:
    dan, _, monday, wednesday = booked
    client.force_login(people.alice)
    record = client.get(f"/clients/{dan.pk}/").content.decode()
    assert "No calendar link yet." in record
    with time_machine.travel(SIGNED + dt.timedelta(minutes=5), tick=False):
        link = make_link(client, dan)
    feed = ClientFeed.objects.get()
    assert (feed.client, feed.created_by, feed.revoked_at) == (dan, people.alice, None)
    assert feed.nonce not in link  # the link is signed: the row alone cannot make it
    assert AuditEvent.objects.filter(
        client=dan, object_type="ClientFeed", summary="client's calendar feed link made"
    ).exists()

    client.logout()  # a phone's calendar has no session
    with time_machine.travel(SIGNED + dt.timedelta(hours=1), tick=False):
        answer = client.get(link)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(answer.content)
    assert str(calendar["x-wr-calname"]) == "Appointments at Lakeside"
    events = {str(e["uid"]): e for e in calendar.events}
    # Dan's two, not Eve's 09:00 with the same therapist.
    assert set(events) == {f"appointment-{monday.pk}@myomap", f"appointment-{wednesday.pk}@myomap"}
    first = events[f"appointment-{monday.pk}@myomap"]
    assert (first.start, first.end) == (london(9, 10), london(9, 11))
    assert str(first["summary"]) == "Appointment at Lakeside"
    assert str(first["status"]) == "CONFIRMED"
    assert events[f"appointment-{wednesday.pk}@myomap"].end == london(11, 14, 45)
    text = answer.content.decode()
    for clinical in ("Low back pain", "sacrum", "relief", DAN_FAMILY_NAME, "Dan", "Eve", "Alice"):
        assert clinical not in text
    for event in calendar.events:
        assert set(event) <= {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "STATUS", "SEQUENCE"}

    actions.cancel(Context(user=people.alice, now=SIGNED + dt.timedelta(hours=2)), monday)
    with time_machine.travel(SIGNED + dt.timedelta(hours=3), tick=False):
        calendar = icalendar.Calendar.from_ical(client.get(link).content)
    assert [str(e["uid"]) for e in calendar.events] == [f"appointment-{wednesday.pk}@myomap"]


def test_a_revoked_replaced_or_tampered_client_feed_answers_404(booked, client, people) -> None:
    dan, _, _, _ = booked
    client.force_login(people.alice)
    old = make_link(client, dan)
    new = make_link(client, dan)  # a new link revokes the old
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert client.get(new.replace(".ics", "x.ics")).status_code == 404
    assert client.get("/appointments/client-feed/not-a-real-secret.ics").status_code == 404

    # Another clinic cannot make or revoke it.
    client.force_login(people.bob)
    assert client.post(f"/appointments/client/{dan.pk}/feed/", {"do": "revoke"}).status_code == 404
    assert client.get(new).status_code == 200

    client.force_login(people.alice)
    answer = client.post(f"/appointments/client/{dan.pk}/feed/", {"do": "revoke"}, follow=True)
    assert "The client&#x27;s calendar link is revoked." in answer.content.decode()
    assert "No calendar link yet." in answer.content.decode()
    assert ClientFeed.objects.filter(revoked_at=None).count() == 0
    assert client.get(new).status_code == 404
    assert AuditEvent.objects.filter(
        client=dan, action=AuditEvent.Action.REVOKE, summary="client's calendar feed link revoked"
    ).exists()


def test_the_client_sees_the_feed_link_after_a_check_in_and_a_relief_question(
    booked, client, people
) -> None:
    dan, visit, _, _ = booked
    check_in = CheckIn.objects.get(visit=visit)
    sent = check_in.due_at
    check_in_link = f"/aftercare/check-in/{links.issue(check_in, aftercare_actions.SALT, sent)}/"
    relief = ReliefCheck.objects.get(visit=visit, day=4)
    relief_page = relief_link(relief, relief.due_at)

    # Before the clinic makes one, the thanks pages have no calendar link.
    with time_machine.travel(sent + dt.timedelta(hours=1), tick=False):
        thanks = client.post(check_in_link, ANSWERS).content.decode()
    assert "Your answers are with Lakeside" in thanks and "client-feed-link" not in thanks

    client.force_login(people.alice)
    link = make_link(client, dan)
    client.logout()
    with time_machine.travel(relief.due_at + dt.timedelta(hours=1), tick=False):
        thanks = client.post(relief_page, {"back": "no", "pain_now": "1"}).content.decode()
    found = LINK.search(thanks)
    assert found is not None and found.group(1) == link
    assert "Your appointments in your calendar" in thanks
