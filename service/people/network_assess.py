"""Use cases: the one-pass assessment — walk through contacts not yet rated, one card at a time,
and rate each one (strength, tags, keep-in-touch cadence, which aspirations they can help with).

A rating is a `contact.updated` event with a strength: re-assessing keeps the history. Skipping
appends nothing; a skipped contact stays unrated and comes round again on the next pass."""

from __future__ import annotations

from dataclasses import dataclass

from domain import decisions
from domain.decisions import Rating
from domain.decisions.profile import Aspiration
from domain.people.contacts import Contact
from domain.tracking.actions import Interactions
from service.app import App
from service.people.contacts import list_contacts
from service.tracking.goals import list_aspirations


@dataclass(frozen=True, slots=True)
class AssessCard:
    contact: Contact
    interactions: Interactions
    remaining: int  # not yet rated, this one included
    position: int  # 1-based place of this card among them
    aspirations: list[Aspiration]


def unrated(app: App, user_id: str) -> list[tuple[Contact, Interactions]]:
    """Contacts with no strength yet, in a stable order (name, then id)."""
    found = [(c, seen) for c, seen in list_contacts(app, user_id) if not c.assessed]
    found.sort(key=lambda item: (item[0].name.casefold(), item[0].contact_id))
    return found


def next_card(
    app: App, user_id: str, after: str | None = None, skipped: frozenset[str] = frozenset()
) -> AssessCard | None:
    """The next unrated contact: the first one after `after` in the order (wrapping round), and
    not among `skipped` unless only skipped ones are left. None when everyone is rated."""
    queue = unrated(app, user_id)
    if not queue:
        return None
    ids = [c.contact_id for c, _ in queue]
    start = ids.index(after) + 1 if after in ids else 0
    order = [*range(start, len(queue)), *range(start)]
    pick = next((i for i in order if ids[i] not in skipped), order[0])
    contact, seen = queue[pick]
    return AssessCard(contact, seen, len(queue), pick + 1, list_aspirations(app, user_id))


def rate_contact(app: App, user_id: str, contact_id: str, rating: Rating, key: str | None = None) -> None:
    app.decide_profile(user_id, lambda p: decisions.assess_contact(p, contact_id, rating, app.now()), key)
