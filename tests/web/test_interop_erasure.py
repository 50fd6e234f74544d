"""Erasure on request (docs/erasure.md): carol, Lakeside's clinic admin, erases Dan
Marlowe's record (tests/web/interop_fixtures.py, with a signed note) once the clinic's
legal minimum for signed records has passed. Afterwards nothing of his name or clinical
text is in any table (every table searched), the audit log still counts every event
(redacted), and an erasure record says who asked and when. Before the minimum, or without
one set, the erasure is refused with nothing changed; only the clinic's own admin may."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from interop_fixtures import T0, Record, at, ctx, dans_record

from myomap.audit.models import AuditEvent
from myomap.clients import actions as client_actions
from myomap.clients.models import Client
from myomap.erasure import actions
from myomap.erasure.models import Erasure
from myomap.records.errors import Forbidden, Invalid
from myomap.visits.models import Visit
from personas import DAN_FAMILY_NAME, GAIL_BORN, GAIL_FAMILY_NAME, People

pytestmark = pytest.mark.django_db
ASKED = actions.ErasureRequest("the client, by letter", dt.date(2037, 1, 5))
# Everything of Dan's that the record held, as typed in.
HIS = (
    DAN_FAMILY_NAME,
    "dan@example.org",
    "Low back pain after gardening",
    "lifting bags of soil",
    "Ibuprofen 400 mg",
    "hamstrings first",
    "agreed by phone",
)
LATER = 60 * 24 * 365 * 11  # eleven years after the visit, in minutes


@pytest.fixture
def record(people: People) -> Record:
    made = dans_record(people)
    Client.objects.filter(pk=made.client.pk).update(user=people.dan)  # his own login
    return made


def anywhere(text: str) -> list[str]:
    """The tables that hold `text` in any column, every row read."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            if any(text in str(value) for row in cursor.fetchall() for value in row):
                found.append(table)
    return found


def test_an_erased_client_leaves_no_name_or_clinical_text_in_any_table(
    record: Record, people: People
) -> None:
    assert anywhere(DAN_FAMILY_NAME)  # the search finds what is there
    actions.set_retention(ctx(people.carol, 1), 10)
    events = AuditEvent.objects.count()
    erasure = actions.erase_client(ctx(people.carol, LATER), record.client, ASKED)

    for text in HIS:
        assert anywhere(text) == [], text
    assert not Client.objects.filter(pk=record.client.pk).exists()
    assert not Visit.objects.filter(pk=record.signed_visit.pk).exists()
    # the log still counts every event, plus the erasure's own
    assert AuditEvent.objects.count() == events + 1
    redacted = AuditEvent.objects.filter(summary=actions.REDACTED)
    assert redacted.count() == erasure.events_redacted > 10
    assert set(redacted.values_list("actor_name", flat=True)) == {"alice"}
    stored = Erasure.objects.get()
    assert (stored.client_number, stored.requested_by, stored.requested_on) == (
        record.client.pk,
        "the client, by letter",
        dt.date(2037, 1, 5),
    )
    assert (stored.erased_by, stored.erased_at) == (people.carol, at(LATER))
    assert stored.rows_deleted["clients.Client"] == 1
    assert stored.rows_deleted["visits.Visit"] == 2
    last = AuditEvent.objects.order_by("-id").first()
    assert last is not None
    assert (last.action, last.summary, last.client_id) == (
        "delete",
        f"client {record.client.pk} erased on request",
        None,
    )
    people.dan.refresh_from_db()
    assert (people.dan.is_active, people.dan.last_name) == (False, "")
    assert people.dan.username == f"erased-client-{record.client.pk}"


def test_a_signed_record_within_the_legal_minimum_is_refused_naming_the_day(
    record: Record, people: People
) -> None:
    with pytest.raises(Invalid, match="set the clinic's legal minimum"):
        actions.erase_client(ctx(people.carol, LATER), record.client, ASKED)
    actions.set_retention(ctx(people.carol, 1), 12)
    with pytest.raises(Invalid, match="it may be erased from 2038-03-02"):
        actions.erase_client(ctx(people.carol, LATER), record.client, ASKED)
    assert Client.objects.filter(pk=record.client.pk).exists()
    assert not Erasure.objects.exists()
    assert anywhere("Low back pain after gardening")


def test_only_the_clinics_own_admin_may_erase(record: Record, people: People) -> None:
    actions.set_retention(ctx(people.carol, 1), 0)
    with pytest.raises(Forbidden):
        actions.erase_client(ctx(people.alice, LATER), record.client, ASKED)
    with pytest.raises(Forbidden):
        actions.set_retention(ctx(people.alice, 1), 0)
    assert Client.objects.filter(pk=record.client.pk).exists()


def test_a_client_without_a_signed_note_may_be_erased_without_a_retention_rule(
    people: People,
) -> None:
    gail = client_actions.create_client(
        ctx(people.alice, 0),
        client_actions.ClientData("Gail", GAIL_FAMILY_NAME, GAIL_BORN),
    )
    done = actions.erase_client(
        ctx(people.carol, 5), gail, actions.ErasureRequest("the client", T0.date())
    )
    assert done.rows_deleted == {"clients.Client": 1}
    assert anywhere(GAIL_FAMILY_NAME) == []
