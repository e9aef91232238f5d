"""Schemathesis against /openapi.json with an authenticated user: no 5xx, nothing off-schema.

Bounded so it stays well under a minute: a few examples per operation, no shrinking
(NETGOALS_FUZZ_EXAMPLES=200 for a longer hunt).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

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
from service import accounts, actions, contacts, goals
from service.settings import Settings
from tests.conftest import POSTGRES_ADMIN_URL, _postgres_available, require_postgres

_HOME = Path(tempfile.mkdtemp(prefix="netgoals-fuzz-"))
_NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


def _seeded(settings: Settings) -> tuple[FastAPI, dict[str, str]]:
    """The app with a user and some data, so that reads and lifecycle changes have something to chew on."""
    app = create_app(settings, lambda: _NOW)
    service = app.state.netgoals
    user = accounts.add_user(service, "fuzz@example.com", "Europe/Berlin")
    contact = contacts.add_contact(service, user.user.user_id, ContactSpec(name="Maya", cadence_days=7))
    goals.set_goal(service, user.user.user_id, GoalSpec(template="monthly-event"))
    goals.set_goal(service, user.user.user_id, GoalSpec(template="mentor", contact_ids=(contact,)))
    actions.log_action(service, user.user.user_id, "attend-event", contact_ids=(contact,))
    return app, {"Authorization": f"Bearer {user.token}"}


def _postgres_database() -> str | None:
    """A fresh PostgreSQL database for the module, or None when no server is reachable."""
    if _postgres_available() is not None:
        return None
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{_PG_NAME}"'))
    admin.dispose()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{_PG_NAME}"


APP, AUTH = _seeded(Settings(home=_HOME))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
# Valid and invalid inputs alike: neither may produce a 5xx or an off-schema answer.
schema.config.generation.update(modes=list(schemathesis.GenerationMode))

_PG_NAME = f"netgoals_fuzz_{uuid.uuid4().hex[:12]}"
_PG_URL = _postgres_database()
# A server database needs a secret key (it seals feed tokens, sources and OAuth tokens).
PG_SETTINGS = {"home": _HOME / "pg", "database_url": _PG_URL, "secret_key": "fuzz-secret-key-for-postgresql"}
PG_APP, PG_AUTH = _seeded(Settings(**PG_SETTINGS)) if _PG_URL else (FastAPI(), {})
pg_schema = schemathesis.openapi.from_asgi("/openapi.json", PG_APP if _PG_URL else APP)
pg_schema.config.generation.update(modes=list(schemathesis.GenerationMode))

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


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    APP.state.netgoals.close()
    if _PG_URL:
        PG_APP.state.netgoals.close()
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{_PG_NAME}" WITH (FORCE)'))
        admin.dispose()
    shutil.rmtree(_HOME, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("NETGOALS_FUZZ_EXAMPLES", "12")),
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors_and_responses_match_the_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=AUTH, checks=CHECKS)


@pg_schema.parametrize()
@settings(
    max_examples=int(os.environ.get("NETGOALS_FUZZ_PG_EXAMPLES", "3")),  # the same code; fewer examples
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors_and_responses_match_the_schema_on_postgresql(case: schemathesis.Case) -> None:
    require_postgres()  # skips without a server, fails under NETGOALS_REQUIRE_SERVICES=1
    case.call_and_validate(headers=PG_AUTH, checks=CHECKS)
