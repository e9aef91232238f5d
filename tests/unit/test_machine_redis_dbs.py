"""The machine Redis databases the tests flush: each pytest-xdist worker has its own for each purpose."""

from __future__ import annotations

import pytest

from tests.conftest import MACHINE_REDIS_DBS, machine_redis_db


def test_without_xdist_each_purpose_has_its_first_db(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    assert {purpose: machine_redis_db(purpose) for purpose in MACHINE_REDIS_DBS} == {
        "workers": 10,
        "compose": 11,
        "signin": 13,
    }


def test_no_two_workers_or_purposes_share_a_db(monkeypatch: pytest.MonkeyPatch) -> None:
    used = []
    for worker in ("gw0", "gw1", "gw2"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        used += [machine_redis_db(purpose) for purpose in MACHINE_REDIS_DBS]
    assert len(set(used)) == len(used) == 9
    assert all(1 <= db <= 15 for db in used)  # a default Redis has 16 (0 is the README's for the app)


def test_a_worker_past_the_layout_is_told_to_use_fewer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    with pytest.raises(pytest.UsageError, match="-n 3 or fewer"):
        machine_redis_db("workers")
