"""When two records are the same person: the same email, the same LinkedIn profile, or the same
name at the same organisation. Names and organisations compare case-, accent- and space-blind."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from domain.errors import DomainError
from domain.people.contacts import Contact

_LINKEDIN = re.compile(r"^(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/(in|pub)/([^/?#\s]+)", re.IGNORECASE)
# Legal forms that say nothing about which organisation it is: "Acme, Inc." is "Acme".
_LEGAL_FORMS = frozenset({"inc", "llc", "ltd", "gmbh", "ag", "sa", "plc", "co", "corp", "bv", "srl"})


@dataclass(frozen=True, slots=True)
class ImportedContact:
    """One person as an export file describes them; `where` names the line or card."""

    where: str
    name: str
    emails: tuple[str, ...] = ()
    organisation: str | None = None
    role: str | None = None
    linkedin_url: str | None = None
    known_since: date | None = None
    tags: tuple[str, ...] = ()  # a vCard's CATEGORIES
    revised: datetime | None = None  # a vCard's REV: when the card last changed (with its offset)


def normalise_linkedin_url(url: str) -> str | None:
    """`https://www.linkedin.com/in/Ann-Lee/?trk=x` -> `linkedin.com/in/ann-lee`; None if not a profile."""
    found = _LINKEDIN.match(url.strip())
    if found is None:
        return None
    return f"linkedin.com/{found.group(1).lower()}/{found.group(2).lower()}"


def fold_text(text: str) -> str:
    """Case-, accent- and space-blind form: "  José  García " -> "jose garcia"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def organisation_key(organisation: str | None) -> str | None:
    if not organisation:
        return None
    words = [w for w in fold_text(organisation).split() if w not in _LEGAL_FORMS]
    return " ".join(words) or None


def identity_keys(
    name: str, emails: Iterable[str], organisation: str | None, linkedin_url: str | None
) -> list[str]:
    """Every key under which this person is known; any shared key means the same person."""
    keys = [f"email:{e.strip().lower()}" for e in emails]
    if linkedin_url:
        keys.append(f"linkedin:{linkedin_url}")
    org = organisation_key(organisation)
    folded = fold_text(name)
    if org and folded:
        keys.append(f"name:{folded}@{org}")
    return keys


def contact_keys(contact: Contact) -> list[str]:
    return identity_keys(contact.name, contact.emails, contact.organisation, contact.linkedin_url)


def record_keys(record: ImportedContact) -> list[str]:
    return identity_keys(record.name, record.emails, record.organisation, record.linkedin_url)


def merge_records(records: list[ImportedContact]) -> ImportedContact:
    """Several lines of one file about the same person, as one: the first line's fields win,
    emails are pooled, and the earliest "connected on" stands."""
    first = records[0]
    emails: list[str] = []
    for record in records:
        emails += [e for e in record.emails if e not in emails]
    since = [r.known_since for r in records if r.known_since is not None]
    tags = tuple(dict.fromkeys(t for r in records for t in r.tags))
    revised = [r.revised for r in records if r.revised is not None]

    def first_of(field: str) -> str | None:
        return next((getattr(r, field) for r in records if getattr(r, field)), None)

    return ImportedContact(
        where=first.where,
        name=first.name,
        emails=tuple(emails),
        organisation=first_of("organisation"),
        role=first_of("role"),
        linkedin_url=first_of("linkedin_url"),
        known_since=min(since) if since else None,
        tags=tags,
        revised=max(revised) if revised else None,
    )


def group_same_people(records: list[ImportedContact]) -> list[list[ImportedContact]]:
    """Records that share any identity key, transitively, form one group (union-find), in file order."""
    parent = list(range(len(records)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for index, record in enumerate(records):
        for key in record_keys(record):
            if key in owner:
                a, b = root(owner[key]), root(index)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[key] = index
    groups: dict[int, list[ImportedContact]] = {}
    for index, record in enumerate(records):
        groups.setdefault(root(index), []).append(record)
    return list(groups.values())


def checked_url(url: str, where: str) -> str:
    normalised = normalise_linkedin_url(url)
    if normalised is None:
        raise DomainError(f"{where}: {url!r} is not a LinkedIn profile URL (linkedin.com/in/...)")
    return normalised


# Words that say an organisation is one, not which kind: "a renewable energy company" needs
# "renewable" and "energy", not "company".
_GENERIC_KIND_WORDS = frozenset(
    {"company", "companies", "firm", "organisation", "organization", "business", "corporation", "place"}
)


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _kind_words(text: str) -> set[str]:
    return {_stem(w) for w in fold_text(text.replace("-", " ")).split()}


def at_kind(contact: Contact, kind: str) -> bool:
    """Whether a contact is at a kind of organisation ("climate startup"): every telling word of
    the kind is in their organisation, position or tags. The network gaps find who is missing by
    it, and a goal for that kind counts only contacts it holds for."""
    wanted = {w for w in _kind_words(kind) if w not in _GENERIC_KIND_WORDS}
    if not wanted:
        return False
    return wanted <= _kind_words(" ".join([contact.organisation or "", contact.role or "", *contact.tags]))
