"""Which provider cases a test applies to: `@pytest.mark.not_on("xandikos", reason="…")` on a test
parametrised by provider (the contract's `subject`, the flow suites' `person`) keeps the case for
that provider from running. `tests/caldav/conftest.py` deselects such cases at collection, so they
are reported as deselected, never as skips counted among the passes. A helper that reaches a path
its provider cannot take calls `not_applicable`, which fails naming the marker the test lacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

import pytest

MARKER = "not_on"
PROVIDERS = frozenset({"radicale", "xandikos", "quirks", "google"})
PROVIDER_FIXTURES = ("subject", "person")  # the fixtures whose param is the provider's name
_SENT = "caldav_deselected"  # the key a pytest-xdist worker sends its deselected node ids under
_COUNTED = pytest.StashKey[bool]()


def provider_of(item: pytest.Item) -> str | None:
    """The provider a collected case runs on, or None for a test not parametrised by provider."""
    if not isinstance(item, pytest.Function) or not hasattr(item, "callspec"):
        return None
    params = item.callspec.params
    found = [params[name] for name in PROVIDER_FIXTURES if name in params]
    return str(found[0]) if len(found) == 1 else None


def excluded(item: pytest.Item) -> bool:
    """True when a `not_on` marker names the provider this case runs on. A marker on a test that has
    no provider parameter, naming no provider or an unknown one, or without a reason is an error."""
    markers = list(item.iter_markers(MARKER))
    if not markers:
        return False
    provider = provider_of(item)
    if provider is None:
        raise pytest.UsageError(f"{item.nodeid}: @{MARKER} needs a test parametrised by {PROVIDER_FIXTURES}")
    for marker in markers:
        unknown = sorted(set(marker.args) - PROVIDERS)
        if not marker.args or unknown or not marker.kwargs.get("reason"):
            raise pytest.UsageError(
                f"{item.nodeid}: @{MARKER} takes provider names from {sorted(PROVIDERS)} and a reason"
                + (f" (unknown: {unknown})" if unknown else "")
            )
    return any(provider in marker.args for marker in markers)


def deselect(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Drop the excluded cases from `items` and report them as deselected (a pytest-xdist worker
    also sends their ids to the controller, whose summary would not count them otherwise)."""
    dropped = [item for item in items if excluded(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        gone = set(map(id, dropped))
        items[:] = [item for item in items if id(item) not in gone]
    sent: dict[str, Any] | None = getattr(config, "workeroutput", None)
    if sent is not None:
        sent[_SENT] = [item.nodeid for item in dropped]


@dataclass(frozen=True)
class Deselected:
    """A worker's deselected case in the controller's stats (plugins read entries as objects)."""

    nodeid: str


def count_worker_deselected(config: pytest.Config, workeroutput: dict[str, Any]) -> None:
    """On the pytest-xdist controller: count a worker's deselected cases in the summary line, once
    (every worker collects, and so deselects, the same cases)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or config.stash.get(_COUNTED, False):
        return
    ids = workeroutput.get(_SENT) or []
    reporter.stats.setdefault("deselected", []).extend(Deselected(nodeid) for nodeid in ids)
    config.stash[_COUNTED] = True


def not_applicable(provider: str, reason: str) -> NoReturn:
    """Fail a case that reached a path its provider cannot take: the test should not have run there."""
    pytest.fail(
        f"{reason}; mark the test @pytest.mark.{MARKER}({provider!r}, reason=...) so this case is "
        "deselected instead of run",
        pytrace=False,
    )
