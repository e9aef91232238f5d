"""iCalendar use cases: the feed netgoals publishes (tokens, rendering) and calendars read as
sources of attended events (add, list, remove, sync, the due-source sweep)."""

from service.ical.feed import FeedAnswer, feed_for_token, render_user_feed
from service.ical.source_sync import (
    SourceReport,
    read_file_source,
    sync_due_sources,
    sync_source,
    sync_user_sources,
)
from service.ical.sources import (
    SourceView,
    add_file_source,
    add_source,
    get_source,
    list_sources,
    reaches_private_address,
    remove_source,
)
from service.ical.tokens import REFRESH_NOTES, FeedLinks, feed_links, resolve, rotate_feed

__all__ = [
    "REFRESH_NOTES",
    "FeedAnswer",
    "FeedLinks",
    "SourceReport",
    "SourceView",
    "add_file_source",
    "add_source",
    "feed_for_token",
    "feed_links",
    "get_source",
    "list_sources",
    "reaches_private_address",
    "read_file_source",
    "remove_source",
    "render_user_feed",
    "resolve",
    "rotate_feed",
    "sync_due_sources",
    "sync_source",
    "sync_user_sources",
]
