"""Schemathesis against /openapi.json with an authenticated user: no 5xx, nothing off-schema.

Bounded so it stays well under a minute: a few examples per operation, no shrinking
(NETGOALS_FUZZ_EXAMPLES=200 for a longer hunt).

One pytest item per API operation and engine, e.g. `test_...[GET /api/v1/goals][sqlite]`; the apps
(and the PostgreSQL database) are made by a fixture, so collecting (`pytest --collect-only`, or each
pytest-xdist worker) makes none. The schema is read at import from an app on a temporary home that
is gone before the tests run; each call goes to the fixture's app.

The engine parametrization matters beyond naming: under pytest 9.2, schemathesis 4.32's
`schema.parametrize()` gives every operation's item the same node id unless the test is also
parametrized by pytest, and pytest-xdist, which schedules by node id, then runs one operation of
~49. tests/conftest.py refuses a collection with duplicate node ids, so that cannot come back unseen.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    missing_required_header,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from sqlalchemy import create_engine, text

from api.app import create_app
from domain.decisions import ContactSpec, GoalSpec
from service.access import accounts
from service.people import contacts
from service.settings import Settings
from service.tracking import actions, goals
from tests.conftest import POSTGRES_ADMIN_URL, require_postgres

_NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


def _openapi() -> dict[str, Any]:
    """The app's OpenAPI document, from an app whose home is removed again at once."""
    with tempfile.TemporaryDirectory(prefix="netgoals-fuzz-") as home:
        app = create_app(Settings(home=Path(home)), lambda: _NOW)
        try:
            return app.openapi()
        finally:
            app.state.netgoals.close()


OPENAPI = _openapi()
schema = schemathesis.openapi.from_dict(OPENAPI)
# Valid and invalid inputs alike: neither may produce a 5xx or an off-schema answer.
schema.config.generation.update(modes=list(schemathesis.GenerationMode))

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    # A wrong method is 405 with an Allow header naming exactly the documented methods.
    unsupported_method,
    allow_header_conformance,
    missing_required_header,
]


@dataclass
class Target:
    app: FastAPI
    headers: dict[str, str]

    def check(self, case: schemathesis.Case) -> None:
        # `app=`: the call goes to this app in-process, over ASGI (the schema was read from another).
        case.call_and_validate(app=self.app, headers=self.headers, checks=CHECKS)


def _seeded(settings: Settings) -> Target:
    """The app with a user and some data, so that reads and lifecycle changes have something to chew on."""
    app = create_app(settings, lambda: _NOW)
    service = app.state.netgoals
    user = accounts.add_user(service, "fuzz@example.com", "Europe/Berlin")
    contact = contacts.add_contact(service, user.user.user_id, ContactSpec(name="Maya", cadence_days=7))
    goals.set_goal(service, user.user.user_id, GoalSpec(template="monthly-event"))
    goals.set_goal(service, user.user.user_id, GoalSpec(template="mentor", contact_ids=(contact,)))
    actions.log_action(service, user.user.user_id, "attend-event", contact_ids=(contact,))
    # The schema the cases come from must be this app's own.
    assert app.openapi() == OPENAPI
    return Target(app, {"Authorization": f"Bearer {user.token}"})


@pytest.fixture(scope="module")
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """The seeded app on the engine the test is parametrized with."""
    home = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    if request.param == "sqlite":
        made = _seeded(Settings(home=home))
        yield made
        made.app.state.netgoals.close()
        return
    require_postgres()  # skips without a server, fails under NETGOALS_REQUIRE_SERVICES=1
    name = f"netgoals_fuzz_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        # A server database needs a secret key (it seals feed tokens, sources and OAuth tokens).
        made = _seeded(Settings(home=home, database_url=url, secret_key="fuzz-secret-key-for-postgresql"))
        try:
            yield made
        finally:
            made.app.state.netgoals.close()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


FUZZ_SETTINGS: dict[str, Any] = {
    "deadline": None,
    "derandomize": True,
    "phases": [Phase.explicit, Phase.generate],
    "suppress_health_check": list(HealthCheck),
}


@schema.parametrize()
@pytest.mark.parametrize("target", ["sqlite"], indirect=True)
@settings(max_examples=int(os.environ.get("NETGOALS_FUZZ_EXAMPLES", "12")), **FUZZ_SETTINGS)
def test_no_server_errors_and_responses_match_the_schema(case: schemathesis.Case, target: Target) -> None:
    target.check(case)


@schema.parametrize()
@pytest.mark.parametrize("target", ["postgresql"], indirect=True)
@settings(  # the same code; fewer examples
    max_examples=int(os.environ.get("NETGOALS_FUZZ_PG_EXAMPLES", "3")), **FUZZ_SETTINGS
)
def test_no_server_errors_and_responses_match_the_schema_on_postgresql(
    case: schemathesis.Case, target: Target
) -> None:
    target.check(case)
