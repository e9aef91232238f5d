"""The Google Calendar use cases the CLI, the API and the worker call, in one place: connect and
disconnect, status, sync once, push notifications, and "people you met" suggestions. Each lives in
its own module; this one only names them.
"""

from __future__ import annotations

from service.google import sync
from service.google.connect import (
    LOOPBACK,
    Browser,
    Status,
    begin_connect,
    complete_connect,
    connect_loopback,
    disconnect,
    status,
)
from service.google.context import Google
from service.google.notifications import sync_requested
from service.google.report import Report
from service.google.suggestions import (
    Added,
    Suggestion,
    add_suggestion,
    dismiss_suggestion,
    suggestions,
)
from service.google.sync import connected_users, sync_once

__all__ = [
    "LOOPBACK",
    "Added",
    "Browser",
    "Google",
    "Report",
    "Status",
    "Suggestion",
    "add_suggestion",
    "begin_connect",
    "complete_connect",
    "connect_loopback",
    "connected_users",
    "disconnect",
    "dismiss_suggestion",
    "status",
    "suggestions",
    "sync",
    "sync_once",
    "sync_requested",
]
