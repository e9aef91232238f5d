"""Names netgoals gives things in Google Calendar: ids derived from their source (a uuid5, so a
repeated pull or plan derives the same id and appends nothing twice), the goals calendar's title,
and the two calendar roles.
"""

from __future__ import annotations

from domain.calendars.crediting import NAMESPACE, credit_action_id, derived_id, done_id, retracted_id

GOALS_CALENDAR = "Networking goals"
PRIMARY, GOALS = "primary", "goals"
__all__ = [
    "GOALS",
    "GOALS_CALENDAR",
    "NAMESPACE",
    "PRIMARY",
    "credit_action_id",
    "derived_id",
    "done_id",
    "google_event_id",
    "retracted_id",
]


def google_event_id(action_id: str) -> str:
    """Client-chosen event ids must be base32hex (a-v, 0-9): a uuid5's hex digits are."""
    return derived_id(f"google-event/{action_id}").hex
