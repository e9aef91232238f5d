"""The feed for a token: rendered from the log and the progress view, cached by what it depends
on — the user's two stream versions and their local day — so a change shows at the next request
and an unchanged feed costs three small queries (and answers 304 when the client has it).

Last-Modified follows the bytes: the token's row keeps the hash of what it last served and when
that changed, so an event that changes nothing in the feed, or a new day that moves nothing, leaves
it alone. A gzip copy is made once per rendering (`mtime=0`: the same bytes give the same copy)."""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from domain.calendars.feed import FeedInput, FeedItem, FeedWindow, LogEntry, feed_items
from domain.decisions.profile import Profile
from domain.event_types.events import actions_stream, profile_stream
from domain.tracking.periods import local_date, local_midnight
from integrations.ical.feed_writer import FeedHeader, render_feed
from integrations.storage import ical_store as store
from integrations.storage import views
from integrations.storage.database import read_transaction, write_transaction
from service.access import keys
from service.app import App
from service.settings import Settings

_CACHE_SIZE = 512


@dataclass(frozen=True, slots=True)
class FeedAnswer:
    body: bytes
    etag: str  # strong: a hash of the bytes
    last_modified: datetime
    gzipped: bytes  # the same bytes, gzip-compressed, for clients that accept it

    @property
    def gzip_etag(self) -> str:
        """Another representation has its own strong ETag."""
        return self.etag[:-1] + '-gzip"'

    @property
    def http_date(self) -> str:
        return format_datetime(self.last_modified.astimezone(UTC).replace(microsecond=0), usegmt=True)


class _Cache:
    def __init__(self) -> None:
        self._items: OrderedDict[tuple[object, ...], FeedAnswer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> FeedAnswer | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[object, ...], answer: FeedAnswer) -> None:
        with self._lock:
            self._items[key] = answer
            while len(self._items) > _CACHE_SIZE:
                self._items.popitem(last=False)


_cache = _Cache()


def feed_for_token(app: App, settings: Settings, token: str) -> FeedAnswer | None:
    """The feed a token opens, or None for an unknown (or rotated) token."""
    wanted = keys.token_hash(token)
    with read_transaction(app.engine) as connection:
        found = store.feed_state(connection, wanted)
    if found is None or not keys.same(found.token_hash, wanted):
        return None
    today = local_date(app.now(), ZoneInfo(found.timezone))
    key = (
        app.engine.url,
        found.user_id,
        found.scope,
        found.profile_version,
        found.actions_version,
        today,
        settings.public_url,
        settings.feed_refresh,
        settings.feed_past_weeks,
        settings.feed_future_weeks,
        found.changed_at,
    )
    answer = _cache.get(key)
    if answer is None:
        answer = render_user_feed(app, settings, found.user_id, found.scope or None)
        body_hash = hashlib.sha256(answer.body).hexdigest()
        changed_at = found.changed_at
        if found.body_hash != body_hash or changed_at is None:
            with write_transaction(app.engine) as connection:
                changed_at = store.record_body(connection, wanted, body_hash, app.now().isoformat())
        answer = replace(answer, last_modified=datetime.fromisoformat(changed_at))
        _cache.put(key, answer)
    return answer


@dataclass(frozen=True, slots=True)
class UserFeed:
    """What a feed says, before it is written: its header, its items and when it last changed."""

    header: FeedHeader
    items: list[FeedItem]
    modified: datetime


def user_feed(app: App, settings: Settings, user_id: str, goal_id: str | None = None) -> UserFeed:
    app.projection.catch_up(user_id)
    profile = Profile(user_id)
    profile_log = []
    for event in app.store.read_stream(profile_stream(user_id)):
        profile.apply(event.type, event.data)
        profile_log.append(LogEntry(event.type, event.data, datetime.fromisoformat(event.recorded_at)))
    actions = [
        LogEntry(e.type, e.data, datetime.fromisoformat(e.recorded_at))
        for e in app.store.read_stream(actions_stream(user_id))
    ]
    with read_transaction(app.engine) as connection:
        counts = views.progress_counts(connection, user_id)
    now = app.now()
    items = feed_items(
        FeedInput(
            profile=profile,
            actions=actions,
            profile_log=profile_log,
            counts=counts,
            now=now,
            window=FeedWindow.around(now, profile.tz, settings.feed_past_weeks, settings.feed_future_weeks),
            dashboard_url=settings.public_url.rstrip("/") + "/",
            goal_id=goal_id,
        )
    )
    goal = profile.goals.get(goal_id) if goal_id else None
    name = f"Networking: {goal.title}" if goal else f"Networking goals ({profile.handle})"
    header = FeedHeader(name, profile.timezone, timedelta(seconds=settings.feed_refresh))
    # Without a token's record (see feed_for_token), a change of the feed comes from a new event in
    # one of the two streams or from a new local day moving the window: the newest of those.
    stamps = [log[-1].recorded_at for log in (profile_log, actions) if log]
    stamps.append(local_midnight(local_date(now, profile.tz), profile.tz))
    return UserFeed(header, items, max(stamps))


def render_user_feed(app: App, settings: Settings, user_id: str, goal_id: str | None = None) -> FeedAnswer:
    feed = user_feed(app, settings, user_id, goal_id)
    body = render_feed(feed.header, feed.items)
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    return FeedAnswer(body, etag, feed.modified, gzip.compress(body, compresslevel=6, mtime=0))
