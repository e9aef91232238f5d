"""When an imported person is already known and the file disagrees about their organisation,
position or LinkedIn profile: which value stands. The person chooses, for the whole import:

- `keep`: what you have stays (the default: an import never overwrites without being asked);
- `file`: the file's value replaces yours;
- `newer`: whichever changed last — the vCard's REV against the last time the log changed one of
  those fields on the contact. A file without REV (every CSV export) cannot be newer, so yours stays;
  so does yours on a tie.

Pure: the contact's "last changed" is folded from the log (`Contact.details_changed_at`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from domain.errors import DomainError
from domain.event_types.payloads import ContactFields
from domain.people.contact_matching import ImportedContact, fold_text, organisation_key
from domain.people.contacts import Contact

ON_CONFLICT: Final = ("keep", "file", "newer")
_LABELS: Final = {"organisation": "organisation", "role": "position", "linkedin_url": "LinkedIn"}


@dataclass(frozen=True, slots=True)
class Difference:
    field: Literal["organisation", "role", "linkedin_url"]
    known: str
    file: str

    def sentence(self) -> str:
        label = _LABELS[self.field]
        if self.field == "linkedin_url":
            return f"{label}: known {self.known}, file {self.file}"
        return f"{label}: known {self.known!r}, file {self.file!r}"


def checked_mode(on_conflict: str) -> str:
    if on_conflict not in ON_CONFLICT:
        raise DomainError(
            f"unknown conflict choice {on_conflict!r}: use keep (keep yours), file (take the file's)"
            " or newer (whichever changed last)"
        )
    return on_conflict


def differences(known: Contact, record: ImportedContact) -> list[Difference]:
    """Where both have a value and the values are not the same (organisations compare without
    legal forms, positions without case or accents)."""
    found = []
    org_known, org_file = organisation_key(known.organisation), organisation_key(record.organisation)
    if known.organisation and record.organisation and org_known and org_file and org_known != org_file:
        found.append(Difference("organisation", known.organisation, record.organisation))
    if known.role and record.role and fold_text(known.role) != fold_text(record.role):
        found.append(Difference("role", known.role, record.role))
    if known.linkedin_url and record.linkedin_url and known.linkedin_url != record.linkedin_url:
        found.append(Difference("linkedin_url", known.linkedin_url, record.linkedin_url))
    return found


def file_is_newer(known: Contact, record: ImportedContact) -> bool | None:
    """Whether the file's card changed after the contact's details did; None when the file does not
    say when it changed."""
    if record.revised is None:
        return None
    changed = known.details_changed_at or known.added_at
    return record.revised > changed


def resolve(
    known: Contact, record: ImportedContact, found: list[Difference], on_conflict: str
) -> ContactFields:
    """The file's values that replace the known ones under the person's choice (empty: yours stay)."""
    mode = checked_mode(on_conflict)
    taken: ContactFields = {}
    if mode == "file" or (mode == "newer" and file_is_newer(known, record) is True):
        for d in found:
            taken[d.field] = d.file
    return taken
