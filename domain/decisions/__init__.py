"""Decide: validate a command against the user's state and answer with the events to append.

Every function is pure: ids and "now" come in as arguments, events go out. A rejected command
raises `DomainError` with a message naming what was wrong, and nothing is appended. One module per
subject; this package is their one front door.
"""

from domain.decisions.actions import log_action, retract_action
from domain.decisions.common import CLOCK_SKEW, MAX_TARGET, Decision
from domain.decisions.contacts import (
    ContactSpec,
    Rating,
    add_contact,
    assess_contact,
    contact_warnings,
    update_contact,
)
from domain.decisions.goals import (
    GoalSpec,
    PreferenceSpec,
    archive_goal,
    goal_of,
    link_goal,
    pause_goal,
    resume_goal,
    revise_goal,
    set_goal,
    set_goal_preferences,
)
from domain.decisions.updates import confirm_update_email, set_updates
from domain.decisions.users import add_aspiration, change_settings, register, update_aspiration

__all__ = [
    "CLOCK_SKEW",
    "MAX_TARGET",
    "ContactSpec",
    "Decision",
    "GoalSpec",
    "PreferenceSpec",
    "Rating",
    "add_aspiration",
    "add_contact",
    "archive_goal",
    "assess_contact",
    "change_settings",
    "confirm_update_email",
    "contact_warnings",
    "goal_of",
    "link_goal",
    "log_action",
    "pause_goal",
    "register",
    "resume_goal",
    "retract_action",
    "revise_goal",
    "set_goal",
    "set_goal_preferences",
    "set_updates",
    "update_aspiration",
    "update_contact",
]
