"""Request and response bodies of the REST API. Field names are those of the CLI's `--json` output."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from service.commands import ASPIRATION_KINDS, TEMPLATES, text

MIN_YEAR, MAX_YEAR = 1970, 2200


def _clean(value: str) -> str:
    """Text must be storable anywhere: the one rule of `domain/guards/text.py`."""
    wrong = text.problem(value)
    if wrong is not None:
        raise ValueError(wrong)
    return value


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# The years the server takes, said in the schema too (a string pattern: JSON Schema has no date bounds).
YEARS_PATTERN = r"^(19[7-9][0-9]|2[01][0-9][0-9]|2200)-"


def _iso_day_text(value: Any) -> Any:
    """Only YYYY-MM-DD: pydantic would also read a number (`as_of=0`) as seconds since 1970."""
    if isinstance(value, str) and not _ISO_DAY.match(value):
        raise ValueError("use a date like 2026-11-20")
    if isinstance(value, int | float):
        raise ValueError("use a date like 2026-11-20")
    return value


def _iso_moment_text(value: Any) -> Any:
    if isinstance(value, str) and not _ISO_MOMENT.match(value):
        raise ValueError("use a time like 2026-11-20T19:00:00+01:00")
    if isinstance(value, int | float):
        raise ValueError("use a time like 2026-11-20T19:00:00+01:00")
    return value


def _sane_day(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"year must be between {MIN_YEAR} and {MAX_YEAR}")
    return value


def _sane_moment(value: datetime) -> datetime:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"year must be between {MIN_YEAR} and {MAX_YEAR}")
    return value


Text = Annotated[str, Field(max_length=2000), AfterValidator(_clean)]
ShortText = Annotated[str, Field(max_length=300), AfterValidator(_clean)]
# Text the server needs something in: at least one character that is not white space.
RequiredText = Annotated[str, Field(min_length=1, max_length=2000, pattern=r"\S"), AfterValidator(_clean)]
RequiredShortText = Annotated[str, Field(min_length=1, max_length=300, pattern=r"\S"), AfterValidator(_clean)]
Id = Annotated[str, Field(max_length=64), AfterValidator(_clean)]
ActionKind = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,39}$")]
Template = Annotated[str, Field(pattern="^(" + "|".join(sorted(TEMPLATES)) + ")$")]
FrameName = Annotated[str, Field(pattern=r"^(week|month|quarter|deadline)$")]
AspirationKind = Annotated[str, Field(pattern="^(" + "|".join(ASPIRATION_KINDS) + ")$")]
Day = Annotated[
    date,
    BeforeValidator(_iso_day_text),
    AfterValidator(_sane_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": YEARS_PATTERN}),
]
Moment = Annotated[
    datetime,
    BeforeValidator(_iso_moment_text),
    AfterValidator(_sane_moment),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": YEARS_PATTERN}),
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


# --- requests --------------------------------------------------------------------------------------


class AspirationIn(_In):
    text: RequiredText
    kind: AspirationKind = "other"


class _PreferenceFields(_In):
    """How a goal is planned and matched; null means the default of the goal's action kind."""

    duration_minutes: int | None = Field(default=None, description="minutes per block, 5 to 480")
    days: list[ShortText] | None = Field(
        default=None, max_length=7, description='day names or ranges, e.g. ["mon-fri"] or ["sat", "sun"]'
    )
    hours: ShortText | None = Field(default=None, description="HH:MM-HH:MM, e.g. 18:00-21:00")
    keywords: list[ShortText] | None = Field(
        default=None,
        max_length=30,
        description="words in an event's title, description or location that count it for this goal; "
        "they replace the defaults of the action kind ([] for none)",
    )
    domains: list[ShortText] | None = Field(
        default=None,
        max_length=30,
        description="attendee email domains that count an event for this goal, besides its contacts",
    )

    def preference_fields(self) -> dict[str, Any]:
        """These fields as `GoalSpec`/`PreferenceSpec` keyword arguments."""

        def listed(values: list[str] | None) -> tuple[str, ...] | None:
            return tuple(values) if values is not None else None

        return {
            "duration": self.duration_minutes,
            "days": listed(self.days),
            "hours": self.hours,
            "keywords": listed(self.keywords),
            "domains": listed(self.domains),
        }


class GoalIn(_PreferenceFields):
    """Give a `template`, or `action`, `target` and `frame` (and `deadline` for a deadline goal)."""

    template: Template | None = None
    title: Text | None = None
    action: ActionKind | None = None
    target: int | None = None
    frame: FrameName | None = None
    start: Day | None = None
    deadline: Day | None = None
    aspiration_id: Id | None = None
    contact_ids: list[Id] = Field(default_factory=list, max_length=100)
    new_contacts_only: bool | None = None


class PreferencesIn(_PreferenceFields):
    """A goal's own preferences, replacing the previous ones: what is left out (or null) goes back
    to the default of the goal's action kind."""


class GoalRevision(_In):
    """Give what changes. `aspiration_id` links the goal to an aspiration (null: to none)."""

    target: int | None = None
    title: Text | None = None
    aspiration_id: Id | None = None


class AspirationUpdate(_In):
    text: Text | None = None
    kind: ShortText | None = None


class ContactIn(_In):
    name: RequiredShortText
    emails: list[ShortText] | None = Field(default=None, max_length=50)
    organisation: ShortText | None = None
    tags: list[ShortText] | None = Field(default=None, max_length=50)
    how_met: Text | None = None
    strength: int | None = None
    cadence_days: int | None = None
    role: ShortText | None = None
    linkedin_url: ShortText | None = Field(default=None, description="an http(s) LinkedIn profile URL")


class ContactUpdate(_In):
    name: RequiredShortText | None = None
    emails: list[ShortText] | None = Field(default=None, max_length=50)
    organisation: ShortText | None = None
    tags: list[ShortText] | None = Field(default=None, max_length=50)
    how_met: Text | None = None
    strength: int | None = None
    cadence_days: int | None = None
    role: ShortText | None = None
    linkedin_url: ShortText | None = Field(default=None, description="an http(s) LinkedIn profile URL")


class RatingIn(_In):
    """A contact's assessment: strength, tags, keep-in-touch cadence, aspirations they help with."""

    strength: Annotated[int, Field(ge=1, le=5)]
    tags: Annotated[list[Annotated[str, Field(max_length=50)]], Field(max_length=50)] = []
    cadence_days: Annotated[int | None, Field(ge=1, le=3660)] = None
    helps_with: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=100)] = []


class ActionIn(_In):
    action: ActionKind = Field(
        description="attend-event, reach-out, follow-up, offer-help, meet-mentor or your own"
    )
    title: Text | None = None
    at: Moment | None = Field(
        default=None, description="when; without an offset, in your time zone; default now"
    )
    contact_ids: list[Id] = Field(default_factory=list, max_length=100)
    note: Text | None = None


class Retraction(_In):
    reason: Text | None = None


# --- responses -------------------------------------------------------------------------------------


class Problem(_Out):
    detail: str


class Me(_Out):
    user_id: str
    handle: str
    timezone: str
    week_start: int
    weekly_budget: int


class HistoryItem(_Out):
    position: int
    type: str
    data: dict[str, Any]
    recorded_at: str


class Health(_Out):
    status: str
