"""The REST API on the store a CLI test uses (the same home, the same settings from the
environment), for tests that compare the CLI's `--json` with the API's answer for the same state:
both dump one model from `service/shapes/`, so the two must be equal dicts."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from cli.main import app as cli
from service.access import accounts
from service.settings import Settings
from tests.conftest import FixedClock


@contextmanager
def api_for(handle: str, settings: Settings | None = None) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A client of the app on the CLI's store (`Settings()` reads the test's NETGOALS_* variables,
    NETGOALS_NOW included) and a fresh token of `handle`'s."""
    now = os.environ.get("NETGOALS_NOW")
    web = create_app(settings or Settings(), FixedClock(datetime.fromisoformat(now)) if now else None)
    service = web.state.netgoals
    token = accounts.issue_token(service, service.user(handle).user_id)
    try:
        with TestClient(web) as client:
            yield client, {"Authorization": f"Bearer {token}"}
    finally:
        service.close()


def cli_json(*args: str) -> Any:
    """`netgoals ARGS --json`, in-process, parsed."""
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.output)
