"""Messages to clients: texts through a pluggable backend (the folder one here, as the
embedded default keeps them), the client's channels for each kind of message set on the
record, the one-time link in every message that turns its kind off, and the clinic's own
wording of its messages (Clinic > Messages).

The people are tests/personas.py's: alice (a Lakeside therapist), carol (Lakeside's admin),
bob (a Hilltop therapist); Dan Marlowe a Lakeside client."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import signing
from django.db import transaction
from django.urls import reverse

from myomap.accounts.models import Clinic
from myomap.appointments import actions
from myomap.audit.log import Context
from myomap.audit.models import AuditEvent
from myomap.clients import actions as client_actions
from myomap.jobs import sms
from myomap.jobs.models import Job
from myomap.messaging.models import Preference, StopLink, Wording
from myomap.records.errors import Invalid
from personas import DAN_BORN, DAN_FAMILY_NAME, People

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 3, 20, 8, 0, tzinfo=dt.UTC)
STARTS = dt.datetime(2026, 3, 25, 10, 0, tzinfo=LONDON)
REMINDER_AT = dt.datetime(2026, 3, 24, 17, 0, tzinfo=dt.UTC)  # 17:00 GMT the day before


@pytest.fixture
def texts(settings, tmp_path):
    """Texts kept as files, as the embedded default does; the folder they land in."""
    settings.SMS_BACKEND = "folder"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    return tmp_path / "sms"


def deliver(huey: Any, at: dt.datetime) -> list[Any]:
    results = []
    for _ in range(3):
        while (task := huey.dequeue()) is not None:
            results.append(huey.execute(task, at.replace(tzinfo=None)))
        for task in huey.read_schedule(at.replace(tzinfo=None)):
            huey.enqueue(task)
    return [r for r in results if r is not None]


def kept_texts(folder) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


@pytest.fixture
def dan(people: People):
    Clinic.objects.filter(pk=people.lakeside.pk).update(time_zone="Europe/London")
    ctx = Context(user=people.alice, now=NOW)
    actions.set_weekly_hours(ctx, people.alice, [(d, dt.time(9), dt.time(17)) for d in range(7)])
    return client_actions.create_client(
        ctx,
        client_actions.ClientData(
            "Dan",
            DAN_FAMILY_NAME,
            DAN_BORN,
            email="dan@example.org",
            phone="+44 7700 900123",
            treatment_consent=True,
            data_consent=True,
        ),
    )


def book(people: People, dan, capture) -> Any:
    ctx = Context(user=people.alice, now=NOW)
    with capture(execute=True), transaction.atomic():
        return actions.book(ctx, client=dan, therapist=people.alice, starts_at=STARTS, minutes=60)


def run_reminders(queue, capture) -> list[Any]:
    """The reminder's job run at its time; the text it asks for handed over as the worker's
    commit would (the test's own transaction never commits)."""
    with time_machine.travel(REMINDER_AT, tick=False):
        done = []
        for _ in range(2):
            with capture(execute=True):
                done += deliver(queue, REMINDER_AT)
        return done


# --- the SMS interface ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "number"),
    [("+44 7700 900123", "+447700900123"), ("0044 (7700) 900-123", "+447700900123")],
)
def test_a_phone_number_is_taken_in_international_form(written: str, number: str) -> None:
    assert sms.phone_number(written) == number


@pytest.mark.parametrize("written", ["07700 900123", "+0 7700 900123", "call me", "+1234"])
def test_a_phone_number_a_text_cannot_go_to_is_refused_naming_the_field(written: str) -> None:
    with pytest.raises(Invalid, match="international form") as refused:
        sms.phone_number(written, "mobile")
    assert refused.value.field == "mobile"


def test_the_disabled_backend_refuses_saying_what_to_set(settings) -> None:
    settings.SMS_BACKEND = "disabled"
    assert not sms.enabled()
    with pytest.raises(sms.SmsError, match="set MYOMAP_SMS_BACKEND"):
        sms.send_sms("+447700900123", "Hello")


class Recording:
    """A clinic's provider: one class, one method."""

    sent: list[tuple[str, str, int | None]] = []

    def send(self, to: str, body: str, *, clinic_id: int | None) -> None:
        self.sent.append((to, body, clinic_id))


def test_a_clinics_own_backend_is_named_by_its_dotted_path(settings) -> None:
    settings.SMS_BACKEND = f"{__name__}.Recording"
    Recording.sent.clear()
    sms.send_sms("+44 7700 900123", "Your appointment is tomorrow", clinic_id=7)
    assert Recording.sent == [("+447700900123", "Your appointment is tomorrow", 7)]


def test_a_text_job_that_fails_is_retried_like_mail_and_the_outbox_shows_it(
    settings, texts, queue, people: People, client, django_capture_on_commit_callbacks
) -> None:
    settings.SMS_BACKEND = "disabled"  # the provider is down, as it were
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            job = sms.send_later(
                key="sms:test",
                to="+44 7700 900123",
                body="See you tomorrow at 10:00",
                clinic_id=people.lakeside.pk,
                now=NOW,
            )
        deliver(queue, NOW)
    stored = Job.objects.get(pk=job.pk)
    assert (stored.kind, stored.status, stored.attempts) == ("sms", "retrying", 1)
    assert "text messages are not set up" in stored.last_error
    settings.SMS_BACKEND = "folder"
    again = stored.run_at
    with time_machine.travel(again, tick=False):
        deliver(queue, again)
    done = Job.objects.get(pk=job.pk)
    assert (done.status, done.payload) == ("done", {})  # the number and words not kept
    (kept,) = kept_texts(texts)
    assert (kept["to"], kept["body"], kept["clinic"]) == (
        "+447700900123",
        "See you tomorrow at 10:00",
        people.lakeside.pk,
    )

    client.force_login(people.carol)
    with time_machine.travel(again, tick=False):
        page = client.get(reverse("outbox")).content.decode()
    assert "Text messages" in page and "See you tomorrow at 10:00" in page
    assert "+447700900123" in page
    # another clinic's admin does not see Lakeside's texts
    hilltop_admin = type(people.carol).objects.create(
        username="hilltop-admin", role="admin", clinic=people.hilltop
    )
    client.force_login(hilltop_admin)
    with time_machine.travel(again, tick=False):
        assert "See you tomorrow" not in client.get(reverse("outbox")).content.decode()


# --- the client's channels --------------------------------------------------------------


def test_the_therapist_sets_the_channels_on_the_record_and_the_reminder_follows_them(
    people: People, dan, texts, queue, mail_folder, client, django_capture_on_commit_callbacks
) -> None:
    client.force_login(people.alice)
    record = reverse("clients:detail", args=[dan.pk])
    page = client.get(record).content.decode()
    assert "Appointment reminders" in page and "Goes by e-mail." in page

    answer = client.post(
        reverse("messaging:channels", args=[dan.pk]),
        {"appointments": "sms", "aftercare": "both", "program": "none"},
        follow=True,
    )
    stored = Preference.objects.get(client=dan)
    assert (stored.appointments, stored.aftercare, stored.program) == ("sms", "both", "none")
    page = answer.content.decode()
    assert "message channels are saved" in page
    assert "Goes by text message." in page and "Goes by e-mail and text message." in page
    assert "Not sent: turned off." in page
    event = AuditEvent.objects.filter(object_type="Preference").latest("pk")
    assert event.client_id == dan.pk and "appointment reminders: text message" in event.summary

    book(people, dan, django_capture_on_commit_callbacks)
    done = run_reminders(queue, django_capture_on_commit_callbacks)
    assert done.count("done") == 2  # the reminder, then its text
    assert not list(mail_folder.glob("*.log"))  # no e-mail: Dan chose texts
    (text,) = kept_texts(texts)
    assert text["to"] == "+447700900123"
    assert "Wednesday 25 March 2026 at 10:00" in text["body"]
    assert "No more appointment reminders? http" in text["body"]


def test_a_client_who_accepts_no_reminder_gets_no_job(
    people: People, dan, queue, mail_folder, django_capture_on_commit_callbacks
) -> None:
    from myomap.messaging import channels

    channels.set_channels(Context(user=people.alice, now=NOW), dan, {"appointments": "none"})
    book(people, dan, django_capture_on_commit_callbacks)
    assert not Job.objects.filter(kind="appointments.reminder").exists()
    assert channels.channels_for(dan, "appointments") == ()


def test_texts_for_a_record_whose_phone_cannot_take_one_are_refused_naming_the_field(
    people: People, dan, texts, client
) -> None:
    type(dan).objects.filter(pk=dan.pk).update(phone="07700 900123")
    client.force_login(people.alice)
    page = client.post(
        reverse("messaging:channels", args=[dan.pk]), {"aftercare": "sms"}, follow=True
    ).content.decode()
    assert "the record&#x27;s phone number" in page and "international form" in page
    assert not Preference.objects.exists()
    # another clinic's therapist cannot reach Dan's record
    client.force_login(people.bob)
    answer = client.post(reverse("messaging:channels", args=[dan.pk]), {"aftercare": "none"})
    assert answer.status_code == 404
    assert not Preference.objects.exists()


def test_the_stop_link_in_the_reminder_turns_reminders_off_once_audited(
    people: People, dan, queue, mail_folder, client, django_capture_on_commit_callbacks
) -> None:
    book(people, dan, django_capture_on_commit_callbacks)
    assert run_reminders(queue, django_capture_on_commit_callbacks) == ["done"]
    (path,) = mail_folder.glob("*.log")
    text = path.read_text()
    link = re.search(r"No more appointment reminders\? (\S+)", text)
    assert link is not None
    url = link.group(1).replace("http://localhost:8000", "")
    # the link names nobody: its signed part is a random secret, kept only as a digest
    token = url.rstrip("/").rsplit("/", 1)[1]
    secret = signing.loads(token, salt="myomap.messaging.stop")
    assert isinstance(secret, str) and len(secret) == 24  # the whole of what it carries
    (issued,) = StopLink.objects.all()
    assert (issued.client_id, issued.purpose, issued.used_at) == (dan.pk, "appointments", None)
    assert secret not in issued.digest
    with time_machine.travel(REMINDER_AT + dt.timedelta(hours=2), tick=False):
        stop_once(client, url, dan)


def stop_once(client, url: str, dan) -> None:
    asked = client.get(url)  # a mail scanner opening the link turns nothing off
    assert "Stop appointment reminders" in asked.content.decode()
    assert not Preference.objects.exists()
    done = client.post(url).content.decode()
    assert "will send you no more appointment reminders" in done
    assert Preference.objects.get(client=dan).appointments == "none"
    assert StopLink.objects.get(client=dan, purpose="appointments").used_at is not None
    event = AuditEvent.objects.filter(object_type="Preference").latest("pk")
    assert "turned off by the client's stop link" in event.summary
    assert event.client_id == dan.pk

    again = client.post(url)
    assert again.status_code == 409
    assert "This link was used already: appointment reminders are off" in again.content.decode()
    opened = client.get(url)  # opened again later: says so, and offers no button
    assert opened.status_code == 409 and "<button" not in opened.content.decode()
    assert client.get(url[:-5] + "xxxx/").status_code == 400
    assert AuditEvent.objects.filter(object_type="Preference").count() == 1


def test_a_stop_link_older_than_180_days_is_refused_and_turns_nothing_off(
    people: People, dan, client
) -> None:
    from myomap.messaging import channels

    with time_machine.travel(NOW, tick=False):
        url = channels.stop_link(dan, "aftercare", NOW).replace("http://localhost:8000", "")
    with time_machine.travel(NOW + dt.timedelta(days=181), tick=False):
        answer = client.post(url)
    assert answer.status_code == 400
    assert "This link is not valid, or is too old: ask the clinic" in answer.content.decode()
    assert not Preference.objects.exists()
    assert StopLink.objects.get().used_at is None
    # a link sent later forgets the links older than that
    channels.stop_link(dan, "aftercare", NOW + dt.timedelta(days=181))
    assert StopLink.objects.get().issued_at == NOW + dt.timedelta(days=181)


# --- the clinic's wording ---------------------------------------------------------------


def test_the_admin_words_a_message_previews_it_and_the_reminder_uses_it(
    people: People, dan, queue, mail_folder, client, django_capture_on_commit_callbacks
) -> None:
    client.force_login(people.carol)
    clinic_page = client.get(reverse("clinic:members")).content.decode()
    assert f'href="{reverse("messaging:messages")}">Messages</a>' in clinic_page
    page = client.get(reverse("messaging:messages")).content.decode()
    assert "Appointment reminder (the day before)" in page and "the default" in page
    at = reverse("messaging:wording", args=["appointment_reminder"])
    body = (
        "Hi {{ given_name }}! {{ clinic }} expects you {{ starts|date:'l' }} "
        "at {{ starts|time:'H:i' }}."
    )

    preview = client.post(
        at, {"subject": "See you soon, {{ given_name }}", "body": body, "action": "preview"}
    ).content.decode()
    assert (
        "See you soon, Sam" in preview
        and "Hi Sam! Lakeside expects you Monday at 14:30." in preview
    )
    assert not Wording.objects.exists()

    wrong = client.post(at, {"subject": "Hello {{ first_name }}", "body": body, "action": "save"})
    assert wrong.status_code == 400
    assert (
        "{{ first_name }} is not a variable of this message (its variables: given_name, "
        "clinic, starts, minutes)" in wrong.content.decode()
    )
    assert not Wording.objects.exists()

    client.post(at, {"subject": "See you soon, {{ given_name }}", "body": body, "action": "save"})
    stored = Wording.objects.get(clinic=people.lakeside, message="appointment_reminder")
    assert stored.subject == "See you soon, {{ given_name }}"
    assert "your clinic&#x27;s" in client.get(reverse("messaging:messages")).content.decode()

    book(people, dan, django_capture_on_commit_callbacks)
    assert run_reminders(queue, django_capture_on_commit_callbacks) == ["done"]
    (path,) = mail_folder.glob("*.log")
    text = path.read_text()
    assert "Subject: See you soon, Dan" in text
    assert "Hi Dan! Lakeside expects you Wednesday at 10:00." in text

    client.post(at, {"action": "default"})
    assert not Wording.objects.exists()
    page = client.get(at).content.decode()
    assert "The default wording." in page and "This is a reminder of your appointment" in page
    # a therapist may not change the clinic's wording
    client.force_login(people.alice)
    assert client.get(at).status_code == 403


# --- aftercare by text ------------------------------------------------------------------

SIGNED = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def test_a_client_with_only_a_phone_who_chose_texts_gets_the_check_in_by_text(
    people: People, texts, queue, mail_folder, django_capture_on_commit_callbacks
) -> None:
    from myomap.aftercare.models import CheckIn
    from myomap.messaging import channels
    from myomap.visits import actions as visit_actions

    ctx = Context(user=people.alice, now=SIGNED - dt.timedelta(hours=1))
    dan = client_actions.create_client(
        ctx,
        client_actions.ClientData(
            "Dan",
            DAN_FAMILY_NAME,
            DAN_BORN,
            phone="+44 7700 900123",
            treatment_consent=True,
            data_consent=True,
        ),
    )
    channels.set_channels(ctx, dan, {"aftercare": "sms"})
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
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        visit_actions.sign_note(
            Context(user=people.alice, now=SIGNED), visit, revision=version.revision
        )
    assert CheckIn.objects.filter(client=dan).exists()  # no e-mail address, still asked

    due = SIGNED + dt.timedelta(hours=24)
    with time_machine.travel(due, tick=False):
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                deliver(queue, due)
    assert Job.objects.get(kind="aftercare.check_in").status == "done"
    assert Job.objects.get(kind="sms").status == "done"
    assert not list(mail_folder.glob("*.log"))
    (text,) = kept_texts(texts)
    assert text["to"] == "+447700900123"
    assert text["body"].startswith("Hello Dan,")
    assert "/aftercare/check-in/" in text["body"]
    assert "No more check-ins and questions after a session? http" in text["body"]
    assert "Low back pain" not in text["body"]  # nothing clinical in a text


# --- program reminders, and wording that no longer renders ------------------------------


def test_a_client_who_turned_program_reminders_off_is_sent_none_and_the_next_is_asked(
    time_machine, mail_folder
) -> None:
    from django.utils import timezone
    from records_fixtures import build_world

    from myomap.clients.models import Client
    from myomap.jobs import runner
    from myomap.messaging import channels
    from myomap.program.models import Reminder

    world = build_world()
    Client.objects.filter(pk=world.client.pk).update(email="dan@example.org")
    dan = Client.objects.get(pk=world.client.pk)
    time_machine.move_to(timezone.make_aware(dt.datetime(2026, 12, 2, 8, 0)))
    world.web("dan").post("/me/reminders", {"days": ["0", "3"], "at": "07:30"})
    channels.set_channels(Context(user=world.alice, now=timezone.now()), dan, {"program": "none"})
    job = Job.objects.get(key=Reminder.objects.get().next_key)
    time_machine.move_to(timezone.make_aware(dt.datetime(2026, 12, 3, 7, 30, 5)))
    assert runner.run(job.pk) == "done"
    assert not list(mail_folder.glob("*.log"))
    assert Job.objects.filter(kind="program.reminder", status=Job.Status.QUEUED).count() == 1

    channels.set_channels(Context(user=world.alice, now=timezone.now()), dan, {"program": "email"})
    job = Job.objects.get(key=Reminder.objects.get().next_key)
    time_machine.move_to(job.run_at + dt.timedelta(seconds=5))
    assert runner.run(job.pk) == "done"
    (path,) = mail_folder.glob("*.log")
    text = path.read_text()
    assert "reminder for today's home exercises" in text
    assert "No more home program reminders? http" in text


def stale_wording(people: People) -> Wording:
    """Lakeside's check-in wording naming a variable the message does not have (one it
    had once, say)."""
    return Wording.objects.create(
        clinic=people.lakeside,
        message="check_in",
        subject="Hi {{ nickname }}",
        body="{{ nickname }}",
        updated_at=NOW,
    )


def test_stored_wording_that_no_longer_renders_gives_way_to_the_default(
    people: People,
) -> None:
    from myomap.messaging import wording

    stale_wording(people)
    subject, body = wording.render(
        people.lakeside.pk,
        "check_in",
        {"given_name": "Dan", "clinic": "Lakeside", "link": "L", "hours": 72},
    )
    assert subject == "How are you after your session at Lakeside?"
    assert body.startswith("Hello Dan,")


def test_without_texts_set_up_the_record_offers_none_and_refuses_one(
    settings, people: People, dan, client
) -> None:
    settings.SMS_BACKEND = "disabled"
    client.force_login(people.alice)
    record = reverse("clients:detail", args=[dan.pk])
    page = client.get(record).content.decode()
    assert '<option value="email" selected>E-mail</option>' in page
    assert 'value="sms"' not in page and 'value="both"' not in page
    page = client.post(
        reverse("messaging:channels", args=[dan.pk]), {"appointments": "sms"}, follow=True
    ).content.decode()
    assert "text messages are not set up on this installation" in page
    assert not Preference.objects.exists()


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        ("{% lorem 200000 w %}", "{% lorem %} cannot be used in a message's body"),
        ('{{ link|center:"50000000" }}', "|center cannot be used in a message's body"),
        ("{% for c in link %}.{% endfor %}", "{% for %} cannot be used in a message's body"),
        ("{% debug %}", "{% debug %} cannot be used in a message's body"),
        ("{% load i18n %}", "{% load %} cannot be used in a message's body"),
        ('{% include "base.html" %}', "{% include %} cannot be used in a message's body"),
        ("{{ given_name|pprint }}", "|pprint cannot be used in a message's body"),
        (
            "{% with a=link|add:link %}{% with b=a|add:a %}{{ b }}{% endwith %}{% endwith %}",
            "|add cannot be used in a message's body",
        ),
        ("x" * 5001, "The body is longer than 5000 characters"),
        (
            "{% now '" + "r" * 400 + "' %}",
            "The body is longer than 10000 characters once its values are in",
        ),
    ],
    ids=[
        "lorem",
        "center",
        "for",
        "debug",
        "load",
        "include",
        "pprint",
        "add",
        "too long",
        "grows",
    ],
)
def test_wording_that_could_grow_without_end_or_show_more_is_refused_naming_what(
    people: People, client, body: str, refused: str
) -> None:
    client.force_login(people.carol)
    at = reverse("messaging:wording", args=["check_in"])
    answer = client.post(at, {"subject": "Hello", "body": body, "action": "save"})
    assert answer.status_code == 400
    page = answer.content.decode().replace("&#x27;", "'")
    assert refused in page
    assert 'aria-invalid="true"' in page
    assert not Wording.objects.exists()


def test_the_allowed_tags_and_filters_render_in_the_preview(people: People, client) -> None:
    client.force_login(people.carol)
    at = reverse("messaging:wording", args=["relief"])
    body = (
        "{% if day > 3 %}{{ given_name|upper }}, day {{ day }}{% else %}soon{% endif %}; "
        "{% firstof given_name clinic %} {{ clinic|lower }}"
    )
    page = client.post(at, {"subject": "Hi", "body": body, "action": "preview"}).content.decode()
    assert "SAM, day 5; Sam lakeside" in page


def test_a_record_given_to_a_message_as_a_value_is_refused(people: People) -> None:
    from myomap.messaging import wording

    with pytest.raises(TypeError, match="'clinic' is a Clinic"):
        wording.render(
            people.lakeside.pk,
            "check_in",
            {"given_name": "Dan", "clinic": people.lakeside, "link": "L", "hours": 72},
        )


def test_the_page_of_stored_wording_that_no_longer_renders_says_why_and_what_is_sent(
    people: People, client
) -> None:
    stale_wording(people)
    client.force_login(people.carol)
    page = client.get(reverse("messaging:wording", args=["check_in"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "{{ nickname }} is not a variable of this message" in text
    assert "until it is mended the default is sent" in text
    assert 'value="Hi {{ nickname }}"' in text  # the stored wording, to mend


@pytest.mark.parametrize("zero", [0x0660, 0xFF10], ids=["arabic-indic", "fullwidth"])
def test_a_phone_number_in_other_digits_than_0_to_9_is_refused(zero: int) -> None:
    written = "+44" + "".join(chr(zero + int(d)) for d in "7700900123")
    with pytest.raises(Invalid, match="international form"):
        sms.phone_number(written)


def test_a_long_clinic_wording_sent_by_text_is_cut_short_keeping_the_stop_link(
    people: People, dan, texts, queue, mail_folder, django_capture_on_commit_callbacks
) -> None:
    from myomap.messaging import channels

    Wording.objects.create(
        clinic=people.lakeside,
        message="appointment_reminder",
        subject="Reminder",
        body="Hello {{ given_name }}. " + "Please bring comfortable clothes. " * 60,
        updated_at=NOW,
    )
    channels.set_channels(Context(user=people.alice, now=NOW), dan, {"appointments": "sms"})
    book(people, dan, django_capture_on_commit_callbacks)
    run_reminders(queue, django_capture_on_commit_callbacks)
    (text,) = kept_texts(texts)
    assert len(text["body"]) <= sms.MAX_LENGTH
    assert text["body"].startswith("Hello Dan. Please bring")
    assert re.search(
        r"…\n\nNo more appointment reminders\? http\S+/messages/stop/\S+/$", text["body"]
    )


def test_wording_that_is_not_a_template_is_refused_in_one_sentence_on_a_styled_form(
    people: People, client
) -> None:
    client.force_login(people.carol)
    at = reverse("messaging:wording", args=["appointment_reminder"])
    page = client.post(at, {"subject": "Hi", "body": "{% if %}x{% endif %}", "action": "save"})
    assert page.status_code == 400
    shown = page.content.decode()
    assert "The body cannot be read as a template: " in shown
    assert "in if tag.</p>" in shown and "..</p>" not in shown
    assert not Wording.objects.exists()
    # The subject is a text field and the buttons are the site's, as on every form.
    assert '<input type="text" id="subject" name="subject"' in shown
    assert 'value="preview" class="secondary">Preview</button>' in shown


def test_a_text_that_failed_for_good_keeps_neither_number_nor_words_and_the_admin_sees_it(
    settings, people: People, client
) -> None:
    from myomap.jobs import runner

    settings.SMS_BACKEND = "disabled"  # the provider never answers, as it were
    job = sms.send_later(
        key="sms:given-up",
        to="+44 7700 900123",
        body="See you tomorrow at 10:00",
        clinic_id=people.lakeside.pk,
        now=NOW,
    )
    assert Job.objects.get(pk=job.pk).payload["to"] == "+447700900123"  # until it is done
    at = NOW
    for _ in range(runner.MAX_ATTEMPTS):
        try:
            runner.run(job.pk, now=at)
        except runner.Retry as retry:
            at = retry.at
    stored = Job.objects.get(pk=job.pk)
    assert (stored.status, stored.attempts, stored.payload) == ("failed", 5, {})
    assert "text messages are not set up" in stored.last_error
    client.force_login(people.carol)
    page = client.get(reverse("jobs:page")).content.decode()
    assert "Text message" in page and "text messages are not set up" in page
    assert "+447700900123" not in page and "See you tomorrow" not in page


def test_the_outbox_shows_a_clinics_texts_however_many_another_clinic_has_since(
    texts, people: People, client
) -> None:
    backend = sms.FolderBackend()
    with time_machine.travel(NOW, tick=False):
        backend.send("+447700900123", "Lakeside's text", clinic_id=people.lakeside.pk)
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=True):
        for n in range(sms.MAX_SHOWN + 5):
            backend.send("+447700900999", f"Hilltop's text {n}", clinic_id=people.hilltop.pk)
    client.force_login(people.carol)
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        page = client.get(reverse("outbox")).content.decode()
    assert "Lakeside&#x27;s text" in page
    assert "Hilltop" not in page


def test_the_messages_page_lists_every_message_and_whose_wording_in_one_read(
    people: People, client, django_assert_num_queries
) -> None:
    Wording.objects.create(
        clinic=people.lakeside,
        message="relief",
        subject="Pain back, {{ given_name }}?",
        body="{{ link }}",
        updated_at=NOW,
    )
    Wording.objects.create(  # another clinic's wording is not Lakeside's
        clinic=people.hilltop, message="check_in", subject="Hilltop asks", body="x", updated_at=NOW
    )
    client.force_login(people.carol)
    client.get(reverse("messaging:messages"))  # the session's first reads, once
    with django_assert_num_queries(3):  # the session, the admin, the clinic's wordings
        page = client.get(reverse("messaging:messages")).content.decode()
    assert page.count("<tr><td><a href=") == 5
    assert "Pain back, {{ given_name }}?</td><td>your clinic's" in page
    assert "How are you after your session at {{ clinic }}?</td><td>the default" in page
    assert "Hilltop asks" not in page


def test_the_stop_button_works_in_a_browser_that_checks_csrf_by_its_origin(
    people: People, dan
) -> None:
    from django.test import Client as Browser

    from myomap.messaging import channels

    url = channels.stop_link(dan, "program", dt.datetime.now(dt.UTC))
    url = url.replace("http://localhost:8000", "")
    browser = Browser(enforce_csrf_checks=True)
    asked = browser.get(url)
    # a browser sends its origin with the post only where the page's policy lets it
    assert asked["Referrer-Policy"] == "same-origin"
    assert asked["Cache-Control"] == "no-store"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', asked.content.decode())
    assert token is not None
    done = browser.post(
        url, {"csrfmiddlewaretoken": token.group(1)}, HTTP_ORIGIN="http://testserver"
    )
    assert done.status_code == 200
    assert "will send you no more home program reminders" in done.content.decode()
    assert Preference.objects.get(client=dan).program == "none"


def test_a_text_chosen_before_texts_were_turned_off_does_not_block_saving_the_others(
    settings, people: People, dan, client
) -> None:
    from myomap.messaging import channels

    channels.set_channels(Context(user=people.alice, now=NOW), dan, {"appointments": "sms"})
    settings.SMS_BACKEND = "disabled"
    client.force_login(people.alice)
    page = client.post(
        reverse("messaging:channels", args=[dan.pk]),
        {"appointments": "sms", "aftercare": "none", "program": "email"},
        follow=True,
    ).content.decode()
    assert "message channels are saved" in page
    stored = Preference.objects.get(client=dan)
    assert (stored.appointments, stored.aftercare, stored.program) == ("sms", "none", "email")
    assert "Not sent: no e-mail address or phone number it can go to." in page
    # changing to a text is still refused while texts are not set up
    page = client.post(
        reverse("messaging:channels", args=[dan.pk]), {"aftercare": "both"}, follow=True
    ).content.decode()
    assert "text messages are not set up on this installation" in page
    assert Preference.objects.get(client=dan).aftercare == "none"


def test_saving_no_channel_at_all_is_refused_and_not_audited(people: People, dan, client) -> None:
    client.force_login(people.alice)
    page = client.post(reverse("messaging:channels", args=[dan.pk]), {}, follow=True)
    assert "choose the channels of at least one kind of message" in page.content.decode().lower()
    assert not Preference.objects.exists()
    assert not AuditEvent.objects.filter(object_type="Preference").exists()
