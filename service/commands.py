"""The words callers use with the use cases: command specs, the errors a use case raises, and the
names a command may take. The CLI and the API import these from here, so they depend on the service
layer only (docs/architecture.md, "The rooms") while the definitions stay in the domain, where they belong."""

from domain.decisions import ContactSpec, GoalSpec, PreferenceSpec, Rating
from domain.decisions.profile import ASPIRATION_KINDS
from domain.errors import ConcurrencyError, DomainError, NotFoundError
from domain.guards import text
from domain.people.network import NetworkAssessment
from domain.tracking.goals import TEMPLATES
from domain.tracking.periods import WEEKDAYS, parse_timezone, parse_week_start
from integrations.storage.secrets import SecretKeyMissingError

__all__ = [
    "ASPIRATION_KINDS",
    "TEMPLATES",
    "WEEKDAYS",
    "ConcurrencyError",
    "ContactSpec",
    "DomainError",
    "GoalSpec",
    "NetworkAssessment",
    "NotFoundError",
    "PreferenceSpec",
    "Rating",
    "SecretKeyMissingError",
    "parse_timezone",
    "parse_week_start",
    "text",
]
