"""Schemathesis against /openapi.json with an authenticated user: no 5xx, nothing off-schema.

Bounded so it stays well under a minute: a few examples per operation, no shrinking
(NETGOALS_FUZZ_EXAMPLES=200 for a longer hunt).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from domain.decisions import ContactSpec, GoalSpec
from service import accounts, actions, contacts, goals
from service.settings import Settings

_HOME = Path(tempfile.mkdtemp(prefix="netgoals-fuzz-"))
_NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
APP = create_app(Settings(home=_HOME), lambda: _NOW)
_SERVICE = APP.state.netgoals
_USER = accounts.add_user(_SERVICE, "fuzz@example.com", "Europe/Berlin")
# Some data, so that reads and lifecycle changes have something to chew on.
_CONTACT = contacts.add_contact(_SERVICE, _USER.user.user_id, ContactSpec(name="Maya", cadence_days=7))
goals.set_goal(_SERVICE, _USER.user.user_id, GoalSpec(template="monthly-event"))
goals.set_goal(_SERVICE, _USER.user.user_id, GoalSpec(template="mentor", contact_ids=(_CONTACT,)))
actions.log_action(_SERVICE, _USER.user.user_id, "attend-event", contact_ids=(_CONTACT,))
AUTH = {"Authorization": f"Bearer {_USER.token}"}

schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
# Valid and invalid inputs alike: neither may produce a 5xx or an off-schema answer.
schema.config.generation.update(modes=list(schemathesis.GenerationMode))

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    _SERVICE.close()
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
