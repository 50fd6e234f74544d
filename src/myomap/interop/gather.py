"""What an export reads, through the apps' query layers: the clients a person may see,
each with their intakes, visits, findings, plans, note versions and guided sessions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from myomap.clients import queries as client_queries
from myomap.clients.models import Client, Intake
from myomap.core.kb import load_default
from myomap.core.session.record import SessionRecord, session_record
from myomap.outcomes import queries as outcome_queries
from myomap.outcomes.models import QuestionnaireResponse
from myomap.visits import queries as visit_queries
from myomap.visits import session_queries
from myomap.visits.models import NoteVersion, SessionRun, Visit


@dataclass(frozen=True)
class VisitRows:
    visit: Visit
    versions: tuple[NoteVersion, ...]  # the note's versions this person may read, oldest first
    sessions: tuple[tuple[SessionRun, SessionRecord], ...]

    @property
    def version(self) -> NoteVersion | None:
        """The note's latest version (an open amendment, if there is one)."""
        return self.versions[-1] if self.versions else None

    @property
    def signed(self) -> NoteVersion | None:
        """The note's latest signed version."""
        return next((v for v in reversed(self.versions) if v.is_signed), None)


@dataclass(frozen=True)
class ClientRows:
    client: Client
    intakes: tuple[Intake, ...]
    visits: tuple[VisitRows, ...]
    responses: tuple[QuestionnaireResponse, ...] = ()  # answered questionnaires, oldest first


def clients_for(user: Any, client_id: int | None) -> list[Client]:
    """One client (404 for one this person may not see) or every client they may see."""
    if client_id is not None:
        return [client_queries.client_for(user, client_id)]
    return list(client_queries.client_list(user).order_by("id"))


def rows_of(user: Any, client: Client) -> ClientRows:
    kb = load_default()
    intakes = tuple(client.intakes.order_by("recorded_at", "id"))
    visits = (
        Visit.objects.visible_to(user)
        .filter(client=client)
        .select_related("client", "intake", "therapist")
        .prefetch_related("palpations", "movements", "plan_steps", "session_runs")
        .order_by("started_at", "id")
    )
    out = []
    for visit in visits:
        versions = visit_queries.versions_for(user, visit)
        runs = tuple(
            (run, session_record(session_queries.replayed(run, kb)))
            for run in visit.session_runs.order_by("started_at", "id")
        )
        out.append(VisitRows(visit, tuple(versions), runs))
    responses = tuple(outcome_queries.responses_for(user, client).order_by("taken_at", "id"))
    return ClientRows(client, intakes, tuple(out), responses)


def every(user: Any, client_id: int | None) -> Iterator[ClientRows]:
    for client in clients_for(user, client_id):
        yield rows_of(user, client)
