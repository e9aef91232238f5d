"""Use case: import contacts from an export file — preview first, then apply on confirmation.

Applying is one decision on the user's profile stream (`App.decide_profile`: read, decide and
append in one transaction holding the stream's lock), so it is all-or-nothing. The file's digest
is the idempotency key, so a retry or two identical imports at once append nothing twice; and a
re-import decides nothing anyway, because everyone in it is already known.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from uuid import NAMESPACE_URL, uuid5

from domain.decisions.contact_conflicts import checked_mode
from domain.decisions.contact_import import ImportPlan, plan_import
from domain.decisions.profile import Profile
from domain.event_types.events import Event
from integrations.contact_files import RowProblem, read_contacts
from integrations.contact_files.table import decode
from service.app import App

_NAMESPACE = uuid5(NAMESPACE_URL, "https://netgoals.invalid/contact-import")


@dataclass(frozen=True, slots=True)
class ImportResult:
    source: str
    applied: bool  # False: a preview, nothing was appended
    plan: ImportPlan
    appended: int  # events appended (0 for a preview or a re-import)
    left_out: tuple[RowProblem, ...] = ()  # the wrong rows left out by `skip_bad`
    on_conflict: str = "keep"


def file_text(data: bytes) -> str:
    """The file as text, whatever its encoding (for a form that sends it back to confirm)."""
    return decode(data)


def _contact_id(user_id: str, identity: str) -> str:
    return str(uuid5(_NAMESPACE, f"{user_id}/contact/{identity}"))


def import_contacts(
    app: App,
    user_id: str,
    data: bytes,
    *,
    apply: bool,
    source: str | None = None,
    skip_bad: bool = False,
    on_conflict: str = "keep",
) -> ImportResult:
    """Read the file and decide the import; with `apply`, append it. A file with wrong rows raises
    `ContactFileError` naming every one of them (`rows`), before anything is appended — unless
    `skip_bad`, the person's explicit choice to import the rest: then the wrong rows are left out
    and listed. `on_conflict` (keep, file, newer) decides where the file disagrees with a contact."""
    checked_mode(on_conflict)
    parsed = read_contacts(data, source, keep_going=skip_bad)
    plan: ImportPlan | None = None

    def decide(profile: Profile) -> list[Event]:
        nonlocal plan
        plan = plan_import(
            profile,
            parsed.contacts,
            parsed.source,
            app.now(),
            lambda k: _contact_id(user_id, k),
            on_conflict,
        )
        return plan.events

    if not apply:
        decide(app.profile(user_id))
        assert plan is not None
        return ImportResult(parsed.source, False, plan, 0, parsed.problems, on_conflict)
    # The file's digest is the idempotency key: event ids derive from it, and a file already
    # imported decides nothing again (decide_profile holds the profile's lock while deciding).
    digest = hashlib.sha256(data).hexdigest()  # wrong rows are wrong every time: one plan per file
    # Another conflict choice is another decision on the same file (keep keeps its old key).
    choice = "" if on_conflict == "keep" else f"/{on_conflict}"
    decided = app.decide_profile(user_id, decide, f"contact-import/{parsed.source}/{digest}{choice}")
    if plan is None:  # this very file was imported before: report what it matches, append nothing
        decide(app.profile(user_id))
        assert plan is not None
        again = ImportPlan(parsed.source, [], plan.known, plan.conflicts, merged=plan.merged)
        return ImportResult(parsed.source, True, again, 0, parsed.problems, on_conflict)
    return ImportResult(parsed.source, True, plan, len(decided), parsed.problems, on_conflict)
