"""Schemathesis over the whole OpenAPI description: for every operation a bounded number of
generated requests (valid and invalid ones, derandomized: the same requests on every run),
signed in with alice's token, against the app in this process and this test's database.

Every answer must be no server error, a status code the description lists for the
operation, and a body that fits the schema it gives for that code. Path ids point, most
of the time, at the records of tests/web/records_fixtures.py's world (Dan Marlowe's record,
alice's visits), so the generated bodies reach the actions instead of stopping at a 404."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from records_fixtures import World, build_world
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from myomap.api.models import ApiToken

pytestmark = pytest.mark.django_db

EXAMPLES = 25
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI handler, sharing the test's transaction: a real server closes the
    database connection after each request, which would end the test's transaction (the
    Django test client does the same as here)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app: WSGIHandler) -> Any:
    return schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def alices_key(world: World) -> str:
    return ApiToken.issue(world.alice, "fuzz")[1]


@pytest.fixture
def carols_key(world: World) -> str:
    return ApiToken.issue(world.carol, "fuzz")[1]


schema = schemathesis.pytest.from_fixture("api_schema")


def aim_at_the_world(case: Any, world: World) -> None:
    """Replace a generated id by one of the world's records, four times in five: ids of
    records alice may use, and one she may see but not change (Erin's record has no
    consent, Gail's intake a red flag). The others, and every id at or past the bounds
    the description gives, are sent as generated."""
    records = {
        "client_id": [world.client.pk, world.erin_client.pk],
        "client": [world.client.pk, world.erin_client.pk],
        "intake_id": [world.intake.pk, world.ask_intake.pk, world.red_intake.pk],
        "visit_id": [world.visit.pk, world.signed_visit.pk, world.empty_visit.pk],
    }
    for where in (case.path_parameters, case.query):
        for name, value in (where or {}).items():
            plausible = isinstance(value, int) and not isinstance(value, bool) and 1 < value < 2**31
            if name in records and plausible and value % 5:
                choices = records[name]
                where[name] = choices[value % len(choices)]


FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ
def test_no_generated_request_breaks_the_api_or_its_description(
    case: Any, world: World, alices_key: str
) -> None:
    aim_at_the_world(case, world)
    case.call_and_validate(headers={"Authorization": f"Bearer {alices_key}"}, checks=CHECKS)


@schema.include(path="/api/audit").parametrize()
@FUZZ
def test_no_generated_filter_breaks_the_clinic_admins_audit_log(
    case: Any, world: World, carols_key: str
) -> None:
    """Alice is refused the audit log (403) before any filter is read: carol reads it."""
    aim_at_the_world(case, world)
    case.call_and_validate(headers={"Authorization": f"Bearer {carols_key}"}, checks=CHECKS)
