"""Bodies and answers of the network import, assessment and per-aspiration endpoints."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ImportedOut(BaseModel):
    where: str
    contact_id: str
    name: str
    emails: list[str]
    organisation: str | None
    role: str | None
    linkedin_url: str | None
    known_since: str | None
    tags: list[str] = []  # a vCard's CATEGORIES


class KnownOut(BaseModel):
    where: str
    name: str
    contact_id: str
    adds: list[str]


class ConflictOut(BaseModel):
    where: str
    name: str
    contact_ids: list[str]
    differences: list[str]
    taken: list[str] = []  # fields whose file value replaces yours (by on_conflict)
    file_newer: bool | None = None  # the file's REV is after your last change (None: no REV)


class BadRowOut(BaseModel):
    where: str  # "line 7", "card 2 (line 30)"
    line: int | None
    card: int | None
    field: str | None  # the column or property at fault, when one is
    problem: str


class MergedOut(BaseModel):
    name: str
    lines: list[str]  # the lines or cards of the file taken as this one person


class ImportOut(BaseModel):
    source: str
    applied: bool
    appended: int
    counts: dict[str, int]
    new: list[ImportedOut]
    known: list[KnownOut]
    conflicts: list[ConflictOut]
    left_out: list[str] = []  # wrong rows left out (only by `import_rest`), as sentences
    bad_rows: list[BadRowOut] = []  # the same rows as data
    merged: list[MergedOut] = []
    on_conflict: str = "keep"


class RatingIn(_In):
    strength: Annotated[int, Field(ge=1, le=5)]
    tags: Annotated[list[Annotated[str, Field(max_length=50)]], Field(max_length=50)] = []
    cadence_days: Annotated[int | None, Field(ge=1, le=3660)] = None
    helps_with: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=100)] = []


class GapGoalOut(BaseModel):
    goal_id: str
