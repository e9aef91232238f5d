"""Use case: import contacts from an export file — preview first, then apply on confirmation.

Applying is one all-or-nothing append to the user's profile stream. Event ids derive from the
profile version they were decided on and their content, so a retry (or two identical imports at
once) appends nothing twice; a re-import decides nothing, because everyone in it is already known.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson

from domain.contact_matching import ImportedContact
from domain.decisions.contact_import import ImportPlan, plan_import
from domain.errors import ConcurrencyError
from domain.events import Event, NewEvent, profile_stream
from integrations.contact_files import read_contacts
from integrations.contact_files.table import decode
from integrations.storage.event_store import StreamAppend
from service.app import App

_NAMESPACE = uuid5(NAMESPACE_URL, "https://netgoals.invalid/contact-import")
_RETRIES = 5


@dataclass(frozen=True, slots=True)
class ImportResult:
    source: str
    applied: bool  # False: a preview, nothing was appended
    plan: ImportPlan
    appended: int  # events appended (0 for a preview or a re-import)

    def as_dict(self) -> dict[str, Any]:
        plan = self.plan
        return {
            "source": self.source,
            "applied": self.applied,
            "appended": self.appended,
            "counts": plan.summary(),
            "new": [_record(contact_id, r) for contact_id, r in plan.new],
            "known": [
                {"where": k.where, "name": k.name, "contact_id": k.contact_id, "adds": list(k.adds)}
                for k in plan.known
            ],
            "conflicts": [
                {
                    "where": c.where,
                    "name": c.name,
                    "contact_ids": list(c.contact_ids),
                    "differences": list(c.differences),
                }
                for c in plan.conflicts
            ],
        }


def _record(contact_id: str, record: ImportedContact) -> dict[str, Any]:
    return {
        "where": record.where,
        "contact_id": contact_id,
        "name": record.name,
        "emails": list(record.emails),
        "organisation": record.organisation,
        "role": record.role,
        "linkedin_url": record.linkedin_url,
        "known_since": record.known_since.isoformat() if record.known_since else None,
    }


def file_text(data: bytes) -> str:
    """The file as text, whatever its encoding (for a form that sends it back to confirm)."""
    return decode(data)


def _contact_id(user_id: str, identity: str) -> str:
    return str(uuid5(_NAMESPACE, f"{user_id}/contact/{identity}"))


def _event_id(user_id: str, version: int, event: Event) -> UUID:
    content = {k: v for k, v in event.data.items() if k != "at"}  # the same decision at any time
    digest = hashlib.sha256(orjson.dumps([event.type, content], option=orjson.OPT_SORT_KEYS)).hexdigest()
    return uuid5(_NAMESPACE, f"{user_id}/event/{version}/{digest}")


def import_contacts(
    app: App, user_id: str, data: bytes, *, apply: bool, source: str | None = None
) -> ImportResult:
    """Read the file and decide the import; with `apply`, append it. A malformed file raises
    `DomainError` naming the line or card, before anything is appended."""
    parsed = read_contacts(data, source)
    for _ in range(_RETRIES):
        profile = app.profile(user_id)
        plan = plan_import(
            profile, parsed.contacts, parsed.source, app.now(), lambda key: _contact_id(user_id, key)
        )
        if not apply or not plan.events:
            return ImportResult(parsed.source, apply, plan, 0)
        batch = [NewEvent(_event_id(user_id, profile.version, e), e.type, e.data) for e in plan.events]
        try:
            appended = app.store.append(StreamAppend(profile_stream(user_id), profile.version, batch))
        except ConcurrencyError:
            continue  # someone changed the profile meanwhile: decide again on what is there now
        app.projection.catch_up()
        return ImportResult(parsed.source, True, plan, appended)
    raise ConcurrencyError(f"too many concurrent changes to user {user_id}; try the import again")
