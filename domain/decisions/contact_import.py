"""Deciding an import: which people in a file are new, which are already known (and what the file
adds to them), and which conflict — and the events that apply it.

People already known are merged, never duplicated: the same email, the same LinkedIn profile, or
the same name at the same organisation (see `domain.people.contact_matching`). The file fills in what a
known contact lacks; where the file disagrees with what is known, the difference is reported as a
conflict and the person's choice decides which value stands (`domain.decisions.contact_conflicts`:
keep yours by default, take the file's, or whichever changed last). A file that matches two known
contacts at once is reported and left alone. Re-importing a file therefore decides nothing:
everything in it is already known.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from domain.decisions.common import require_registered, text_field
from domain.decisions.contact_conflicts import checked_mode, file_is_newer, resolve
from domain.decisions.contact_conflicts import differences as differences_of
from domain.decisions.profile import Profile
from domain.errors import DomainError
from domain.event_types import facts
from domain.event_types.events import Event
from domain.event_types.payloads import ContactFields
from domain.people.contact_matching import (
    ImportedContact,
    contact_keys,
    fold_text,
    group_same_people,
    merge_records,
    record_keys,
)
from domain.people.contacts import Contact, validate_email

SOURCE_KINDS: Final = ("linkedin", "vcard", "google", "outlook")
MAX_CONTACTS: Final = 20_000
MAX_TAGS: Final = 50  # tags (a vCard's CATEGORIES) on one contact, as the REST API allows


@dataclass(frozen=True, slots=True)
class Conflict:
    where: str
    name: str
    contact_ids: tuple[str, ...]  # the known contact(s) it matched
    differences: tuple[str, ...]  # "organisation: known 'Acme', file 'Globex'"
    taken: tuple[str, ...] = ()  # the fields whose file value replaces the known one (by the choice)
    file_newer: bool | None = None  # the file's REV is after the contact's last change (None: no REV)


@dataclass(frozen=True, slots=True)
class KnownMatch:
    where: str
    name: str
    contact_id: str
    adds: tuple[str, ...]  # the fields the file adds ("emails", "role", "source", ...)


@dataclass(slots=True)
class ImportPlan:
    source: str
    new: list[tuple[str, ImportedContact]] = field(default_factory=list)  # (contact id, record)
    known: list[KnownMatch] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    # lines of the file taken as one person: (the name kept, every line's `where`, in file order)
    merged: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {
            "new": len(self.new),
            "known": len(self.known),
            "conflicting": len(self.conflicts),
            "events": len(self.events),
        }


def _checked(record: ImportedContact) -> ImportedContact:
    """The record with its fields validated; errors name the line or card."""
    try:
        name = text_field(record.name, "the contact's name", limit=200)
        emails = tuple(dict.fromkeys(validate_email(e) for e in record.emails))
        organisation = text_field(record.organisation or "", "organisation", required=False, limit=200)
        role = text_field(record.role or "", "position", required=False, limit=200)
        tags = tuple(dict.fromkeys(text_field(t, "category", limit=50).lower() for t in record.tags))
        if len(tags) > MAX_TAGS:
            raise DomainError(f"{len(tags)} categories; a contact takes at most {MAX_TAGS}")
    except DomainError as exc:
        raise DomainError(f"{record.where}: {exc}") from None
    return ImportedContact(
        record.where,
        name,
        emails,
        organisation or None,
        role or None,
        record.linkedin_url,
        record.known_since,
        tags,
        record.revised,
    )


def _additions(known: Contact, record: ImportedContact, source: str) -> ContactFields:
    """What the file adds to a known contact: nothing it already has, nothing it disagrees with."""
    adds: ContactFields = {}
    emails = [*known.emails, *(e for e in record.emails if e not in known.emails)]
    if len(emails) > len(known.emails):
        adds["emails"] = sorted(emails)
    if record.organisation and not known.organisation:
        adds["organisation"] = record.organisation
    if record.role and not known.role:
        adds["role"] = record.role
    if record.linkedin_url and not known.linkedin_url:
        adds["linkedin_url"] = record.linkedin_url
    if record.known_since and (known.known_since is None or record.known_since < known.known_since):
        adds["known_since"] = record.known_since.isoformat()
    if set(record.tags) - set(known.tags):  # the file's categories join the tags already there
        adds["tags"] = sorted({*known.tags, *record.tags})
    if source not in {kind for kind, _ in known.sources}:
        adds["source"] = source
    return adds


def _added_event(contact_id: str, record: ImportedContact, source: str, now: datetime) -> Event:
    fields: ContactFields = {"name": record.name, "emails": sorted(record.emails)}
    if record.organisation:
        fields["organisation"] = record.organisation
    if record.role:
        fields["role"] = record.role
    if record.linkedin_url:
        fields["linkedin_url"] = record.linkedin_url
    if record.known_since:
        fields["known_since"] = record.known_since.isoformat()
    if record.tags:
        fields["tags"] = sorted(record.tags)
    fields["source"] = source
    return facts.contact_added(contact_id, fields, now)


def plan_import(
    profile: Profile,
    records: list[ImportedContact],
    source: str,
    now: datetime,
    id_for: Callable[[str], str],
    on_conflict: str = "keep",
) -> ImportPlan:
    """Decide an import. `id_for(identity key)` gives a new contact its id: deterministic, so a
    re-import (or a retry) names the same person the same way. `on_conflict` (keep, file, newer)
    says which value stands where the file disagrees with a known contact."""
    require_registered(profile)
    checked_mode(on_conflict)
    if source not in SOURCE_KINDS:
        raise DomainError(f"unknown contact source {source!r}: use one of {', '.join(SOURCE_KINDS)}")
    if len(records) > MAX_CONTACTS:
        raise DomainError(f"the file has {len(records)} contacts; import at most {MAX_CONTACTS} at once")
    checked = [_checked(r) for r in records]
    index: dict[str, set[str]] = {}
    for contact in profile.contacts.values():
        for key in contact_keys(contact):
            index.setdefault(key, set()).add(contact.contact_id)
    plan = ImportPlan(source)
    used: set[str] = set()
    for group in group_same_people(checked):
        record = merge_records(group)
        if len(group) > 1:
            plan.merged.append((record.name, tuple(r.where for r in group)))
        keys = record_keys(record)
        identity = keys[0] if keys else f"name:{fold_text(record.name)}"
        contact_id, repeat = id_for(identity), 1
        while contact_id in used:  # two people the file cannot tell apart (a name, nothing else)
            repeat += 1
            contact_id = id_for(f"{identity}#{repeat}")
        used.add(contact_id)
        matched = set().union(*(index.get(k, set()) for k in keys))
        if contact_id in profile.contacts:  # imported before, edited since: still the same person
            matched.add(contact_id)
        if len(matched) > 1:
            names = tuple(sorted(matched))
            differences = (f"matches {len(matched)} known contacts: merge them by hand first",)
            plan.conflicts.append(Conflict(record.where, record.name, names, differences))
        elif matched:
            known = profile.contacts[matched.pop()]
            adds = _additions(known, record, source)
            found = differences_of(known, record)
            taken = resolve(known, record, found, on_conflict)
            if adds or taken:
                plan.events.append(facts.contact_updated(known.contact_id, {**adds, **taken}, now))
            if found:
                sentences = tuple(d.sentence() for d in found)
                newer = file_is_newer(known, record)
                conflict = Conflict(
                    record.where, record.name, (known.contact_id,), sentences, tuple(taken), newer
                )
                plan.conflicts.append(conflict)
            else:
                plan.known.append(KnownMatch(record.where, record.name, known.contact_id, tuple(adds)))
        else:
            plan.new.append((contact_id, record))
            plan.events.append(_added_event(contact_id, record, source, now))
    return plan
