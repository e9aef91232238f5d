"""The network list as a person with hundreds of contacts reads it: a search, a tag filter and a
sort, all from the GET query so a filtered list can be bookmarked and the back button works."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from service.commands import DomainError


class ContactStanding(Protocol):
    """What the list reads of the service's standing of one contact."""

    @property
    def contact(self) -> Any: ...
    @property
    def overdue_days(self) -> int | None: ...


S = TypeVar("S", bound=ContactStanding)

SORTS = {
    "strength": "strength",
    "last": "last contact",
    "overdue": "most overdue",
    "name": "name",
}
MAX_QUERY = 200  # a search box's worth; longer text is refused, not searched


@dataclass(frozen=True, slots=True)
class Listing:
    q: str = ""
    tag: str = ""
    sort: str = "strength"

    @property
    def narrowed(self) -> bool:
        return bool(self.q or self.tag)


def listing(params: Mapping[str, str]) -> Listing:
    """The query's search, tag and sort; a wrong one raises DomainError naming it."""
    q, tag = params.get("q", "").strip(), params.get("tag", "").strip().lower()
    sort = params.get("sort", "").strip() or "strength"
    if len(q) > MAX_QUERY or len(tag) > MAX_QUERY:
        raise DomainError(f"a search or tag is at most {MAX_QUERY} characters")
    if sort not in SORTS:
        raise DomainError(f"sort by one of: {', '.join(SORTS)} (not {sort[:40]!r})")
    return Listing(q, tag, sort)


def _words(standing: ContactStanding) -> str:
    c = standing.contact
    return " ".join(
        [c.name, c.organisation or "", c.role or "", *c.emails, *c.tags, c.how_met or ""]
    ).casefold()


def select(contacts: Sequence[S], last_seen: Mapping[str, str], wanted: Listing) -> list[S]:
    """The contacts that match every word of the search and the tag, in the asked order (the
    service's order, strongest first, breaks ties)."""
    words = wanted.q.casefold().split()
    found = [
        s
        for s in contacts
        if all(w in _words(s) for w in words) and (not wanted.tag or wanted.tag in s.contact.tags)
    ]
    if wanted.sort == "name":
        found.sort(key=lambda s: s.contact.name.casefold())
    elif wanted.sort == "last":  # the most recent first, the never-seen last
        found.sort(key=lambda s: last_seen.get(s.contact.contact_id, ""), reverse=True)
    elif wanted.sort == "overdue":
        found.sort(key=lambda s: -(s.overdue_days or 0) if s.overdue_days else 1)
    return found


def tags_of(contacts: Sequence[ContactStanding]) -> list[str]:
    return sorted({t for s in contacts for t in s.contact.tags})
