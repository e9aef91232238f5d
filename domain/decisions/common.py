"""What every decision shares: the Decision answer, text limits, the registered-user check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.decisions.profile import Profile
from domain.errors import DomainError, NotFoundError
from domain.event_types.events import Event

# Clocks disagree a little; an action "done" this far in the future is still accepted.
CLOCK_SKEW = timedelta(minutes=5)
MAX_TARGET = 1000
MAX_TEXT = 500


@dataclass(frozen=True, slots=True)
class Decision:
    events: list[Event]
    warnings: tuple[str, ...] = ()


def text_field(value: str, what: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"{what} must not be empty")
    if len(value) > limit:
        raise DomainError(f"{what} is too long ({len(value)} characters, at most {limit})")
    return value


def require_registered(profile: Profile) -> None:
    if not profile.registered:
        raise NotFoundError("no such user: run `netgoals init` first")
