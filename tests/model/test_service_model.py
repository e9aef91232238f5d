"""A model-based test of the whole service (issue 22): hypothesis plays what people and calendars
do, and after every step the service must agree with the README's rules as the reference model
writes them down. Bounded by default (CI); `--hypothesis-profile=long` runs for minutes.
NETGOALS_MODEL_DATABASE=postgresql runs it on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis.stateful import run_state_machine_as_test

from tests.model.machine import ServiceModel
from tests.model.profiles import model_settings
from tests.model.world import Servers, servers


@pytest.fixture(scope="module")
def running() -> Iterator[Servers]:
    with servers() as started:
        yield started


def test_the_service_keeps_the_readmes_promises(running: Servers) -> None:
    class Model(ServiceModel):
        pass

    Model.servers = running
    try:
        run_state_machine_as_test(Model, settings=model_settings())
    finally:  # the record a long run leaves (pytest -s shows it)
        print(
            f"\nmodel test: {ServiceModel.runs} runs of the machine, {ServiceModel.total_steps} steps checked"
        )
