"""Which provider cases a test applies to: `@pytest.mark.not_on("xandikos", reason="…")` on a test
parametrised by provider (the contract's `subject`, the flow suites' `person`) keeps the case for
that provider from running. `tests/caldav/conftest.py` deselects such cases at collection, so they
are reported as deselected, never as skips counted among the passes. A helper that reaches a path
its provider cannot take calls `not_applicable`, which fails naming the marker the test lacks.
"""

from __future__ import annotations

from typing import NoReturn

import pytest

MARKER = "not_on"
PROVIDERS = frozenset({"radicale", "xandikos", "quirks", "google"})
PROVIDER_FIXTURES = ("subject", "person")  # the fixtures whose param is the provider's name


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
    """Drop the excluded cases from `items` and report them as deselected (under pytest-xdist each
    worker reports its own; `-n 0` shows the count in the summary)."""
    dropped = [item for item in items if excluded(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        gone = set(map(id, dropped))
        items[:] = [item for item in items if id(item) not in gone]


def not_applicable(provider: str, reason: str) -> NoReturn:
    """Fail a case that reached a path its provider cannot take: the test should not have run there."""
    pytest.fail(
        f"{reason}; mark the test @pytest.mark.{MARKER}({provider!r}, reason=...) so this case is "
        "deselected instead of run",
        pytrace=False,
    )
