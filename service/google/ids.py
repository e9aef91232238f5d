"""Names netgoals gives things in Google Calendar: ids derived from their source (a uuid5, so a
repeated pull or plan derives the same id and appends nothing twice), the goals calendar's title,
and the two calendar roles.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

NAMESPACE = uuid5(NAMESPACE_URL, "https://netgoals.invalid/google-calendar")
GOALS_CALENDAR = "Networking goals"
PRIMARY, GOALS = "primary", "goals"


def derived_id(text: str) -> UUID:
    return uuid5(NAMESPACE, text)


def google_event_id(action_id: str) -> str:
    """Client-chosen event ids must be base32hex (a-v, 0-9): a uuid5's hex digits are."""
    return derived_id(f"google-event/{action_id}").hex


def credit_action_id(user_id: str, occurrence_key: str, kind: str, generation: int) -> str:
    """The action a calendar occurrence's n-th credit (its generation) is: attending, declining and
    attending again earns a new action, since a retracted one stays retracted."""
    return str(derived_id(f"{user_id}/{occurrence_key}/{kind}/{generation}"))


def done_id(action_id: str) -> UUID:
    """The id of the `action.done` a pull appends for an action it credits."""
    return derived_id(f"{action_id}/done")


def retracted_id(action_id: str) -> UUID:
    """The id of the `action.retracted` a pull appends when the calendar takes a credit back."""
    return derived_id(f"{action_id}/retracted")
