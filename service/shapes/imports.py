"""The contact import's answer (a preview, or what was applied): one shape for
`POST /api/v1/contacts/import`, `netgoals contact import --json` and the dashboard's import page."""

from __future__ import annotations

from pydantic import BaseModel

from domain.people.contact_matching import ImportedContact
from service.people.contact_import import ImportResult


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

    @classmethod
    def of(cls, contact_id: str, record: ImportedContact) -> ImportedOut:
        return cls(
            where=record.where,
            contact_id=contact_id,
            name=record.name,
            emails=list(record.emails),
            organisation=record.organisation,
            role=record.role,
            linkedin_url=record.linkedin_url,
            known_since=record.known_since.isoformat() if record.known_since else None,
            tags=list(record.tags),
        )


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
    applied: bool  # False: a preview, nothing was appended
    appended: int  # events appended (0 for a preview or a re-import)
    left_out: list[str] = []  # wrong rows left out (only by `import_rest`), as sentences
    bad_rows: list[BadRowOut] = []  # the same rows as data
    on_conflict: str = "keep"
    merged: list[MergedOut] = []
    counts: dict[str, int]
    new: list[ImportedOut]
    known: list[KnownOut]
    conflicts: list[ConflictOut]

    @classmethod
    def of(cls, result: ImportResult) -> ImportOut:
        plan = result.plan
        return cls(
            source=result.source,
            applied=result.applied,
            appended=result.appended,
            left_out=[str(p) for p in result.left_out],
            bad_rows=[BadRowOut.model_validate(p.as_dict()) for p in result.left_out],
            on_conflict=result.on_conflict,
            merged=[MergedOut(name=name, lines=list(lines)) for name, lines in plan.merged],
            counts=plan.summary(),
            new=[ImportedOut.of(contact_id, r) for contact_id, r in plan.new],
            known=[
                KnownOut(where=k.where, name=k.name, contact_id=k.contact_id, adds=list(k.adds))
                for k in plan.known
            ],
            conflicts=[
                ConflictOut(
                    where=c.where,
                    name=c.name,
                    contact_ids=list(c.contact_ids),
                    differences=list(c.differences),
                    taken=list(c.taken),
                    file_newer=c.file_newer,
                )
                for c in plan.conflicts
            ],
        )
