"""Use cases: connect and disconnect Google Calendar, sync once (pull, plan, push), push
notifications, and "people you met" suggestions.

Secrets (invariant 8): tokens and PKCE verifiers are sealed with the vault before they touch the
database; the log only says that a calendar was connected. Failures become the connection's state
("reconnect-needed", a quota pause, the last error) instead of retry storms.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from netgoals.config import Settings
from netgoals.domain import events as ev
from netgoals.domain.attendance import Attendee, CalendarEvent, strangers
from netgoals.domain.decisions import ContactSpec
from netgoals.domain.errors import DomainError, NotFoundError
from netgoals.domain.events import Event, NewEvent, actions_stream
from netgoals.domain.periods import local_date
from netgoals.domain.planning import follow_up_slot
from netgoals.domain.profile import Profile
from netgoals.integrations import calendar_store as store
from netgoals.integrations import google_oauth
from netgoals.integrations.database import read_transaction, write_transaction
from netgoals.integrations.event_store import StreamAppend
from netgoals.integrations.google_calendar import (
    GoogleCalendar,
    GoogleError,
    GoogleNotFoundError,
    QuotaExceededError,
    ReconnectNeededError,
)
from netgoals.integrations.google_oauth import GoogleEndpoints, OAuthError
from netgoals.integrations.secrets import Vault
from netgoals.service import contacts as contacts_service
from netgoals.service import google_sync as sync
from netgoals.service.app import App

log = logging.getLogger("netgoals.google")
Sleep = Callable[[float], None]
CHANNEL_RENEW_BEFORE = timedelta(days=1)


@dataclass
class Google:
    """What Google use cases need besides the App: settings, the vault and the endpoints."""

    settings: Settings
    vault: Vault
    endpoints: GoogleEndpoints
    sleep: Sleep = time.sleep
    watch: bool = False  # open push channels (needs a public https address, or the local fake)

    @classmethod
    def open(cls, settings: Settings, *, sleep: Sleep = time.sleep) -> Google:
        if not settings.google_client_id:
            raise DomainError(
                "Google Calendar is not configured: set NETGOALS_GOOGLE_CLIENT_ID and "
                "NETGOALS_GOOGLE_CLIENT_SECRET"
            )
        secret = settings.secret_key.get_secret_value() if settings.secret_key else None
        vault = Vault.open(secret, settings.home, settings.embedded)
        client_secret = settings.google_client_secret
        endpoints = GoogleEndpoints(
            client_id=settings.google_client_id,
            client_secret=client_secret.get_secret_value() if client_secret else "",
            auth_uri=settings.google_auth_uri,
            token_uri=settings.google_token_uri,
            revoke_uri=settings.google_revoke_uri,
            api_url=settings.google_api_url,
            batch_uri=settings.google_batch_uri,
        )
        google_oauth.prepare_environment(endpoints)
        watch = settings.public_url.startswith("https://") or endpoints.local
        return cls(settings, vault, endpoints, sleep, watch)

    def client(self, tokens: dict[str, Any]) -> GoogleCalendar:
        credentials = google_oauth.credentials(self.endpoints, tokens)
        return GoogleCalendar(
            self.endpoints, credentials, num_retries=self.settings.google_num_retries, sleep=self.sleep
        )

    @property
    def callback_url(self) -> str:
        return self.settings.public_url.rstrip("/") + "/oauth/google/callback"

    @property
    def webhook_url(self) -> str:
        return self.settings.public_url.rstrip("/") + "/webhooks/google"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- connect and disconnect ------------------------------------------------------------------------


def begin_connect(app: App, google: Google, user_id: str, redirect_uri: str | None = None) -> str:
    """The Google consent URL for this user (state and PKCE verifier are kept, sealed)."""
    app.profile(user_id)
    redirect_uri = redirect_uri or google.callback_url
    consent = google_oauth.consent(google.endpoints, redirect_uri)
    sealed = google.vault.seal({"code_verifier": consent.code_verifier, "redirect_uri": redirect_uri})
    with write_transaction(app.engine) as connection:
        store.add_state(connection, _hash(consent.state), user_id, sealed, app.now().timestamp())
    return consent.url


def complete_connect(app: App, google: Google, state: str, code: str | None, error: str | None = None) -> str:
    """The OAuth callback: check the state, exchange the code, keep the tokens sealed, ask for a
    first sync. Returns the user id."""
    now = app.now()
    with write_transaction(app.engine) as connection:
        found = store.take_state(connection, _hash(state or ""), now.timestamp())
    if found is None:
        raise DomainError("this Google sign-in expired or was already used: connect again")
    user_id, sealed = found
    if error or not code:
        raise DomainError(f"Google did not connect the calendar ({error or 'no code'})")
    kept = google.vault.open_sealed(sealed)
    try:
        tokens = google_oauth.exchange(google.endpoints, kept["redirect_uri"], code, kept["code_verifier"])
    except OAuthError as exc:
        raise DomainError(str(exc)) from None
    if not tokens.get("refresh_token"):
        raise DomainError(
            "Google sent no refresh token; remove netgoals' access in your Google account and retry"
        )
    with write_transaction(app.engine) as connection:
        before = store.connection_of(connection, user_id)
        store.save_connection(connection, user_id, google.vault.seal(tokens), now.isoformat())
        store.update_connection(connection, user_id, sync_requested=now.timestamp())
    if before is None or before.status == "disconnected":
        app.decide_profile(
            user_id,
            lambda _p: [
                Event(
                    ev.CALENDAR_CONNECTED,
                    {"provider": "google", "calendar": sync.GOALS_CALENDAR, "at": now.isoformat()},
                )
            ],
        )
    log.info("google calendar connected for user %s", user_id)
    return user_id


def connect_loopback(
    app: App, google: Google, user_id: str, open_url: Callable[[str], None], timeout: float = 300.0
) -> str:
    """The installed-app flow for one person on a laptop: a one-shot server on 127.0.0.1 receives
    Google's redirect."""
    with google_oauth.LoopbackReceiver() as receiver:
        url = begin_connect(app, google, user_id, receiver.redirect_uri)
        open_url(url)
        try:
            params = receiver.wait(timeout)
        except OAuthError as exc:
            raise DomainError(str(exc)) from None
    return complete_connect(app, google, params.get("state", ""), params.get("code"), params.get("error"))


def disconnect(app: App, google: Google, user_id: str) -> bool:
    """Revoke the grant at Google, stop push channels, forget the tokens. History stays."""
    with read_transaction(app.engine) as connection:
        found = store.connection_of(connection, user_id)
        channels = store.channels_of(connection, user_id)
    if found is None or found.status == "disconnected":
        return False
    if found.tokens:
        tokens = google.vault.open_sealed(found.tokens)
        client = google.client(tokens)
        for channel in channels:
            with contextlib.suppress(GoogleError):  # the channel expires by itself
                client.stop_channel(channel["channel_id"], channel["resource_id"])
        google_oauth.revoke(google.endpoints, tokens)
    with write_transaction(app.engine) as connection:
        for channel in channels:
            store.drop_channel(connection, channel["channel_id"])
        store.update_connection(
            connection,
            user_id,
            status="disconnected",
            tokens=None,
            detail=None,
            paused_until=None,
            sync_requested=None,
            updated_at=app.now().isoformat(),
        )
    app.decide_profile(
        user_id,
        lambda _p: [Event(ev.CALENDAR_DISCONNECTED, {"provider": "google", "at": app.now().isoformat()})],
    )
    return True


@dataclass(frozen=True, slots=True)
class Status:
    status: str  # not-connected, connected, reconnect-needed, paused, disconnected
    detail: str | None = None
    calendar_id: str | None = None
    paused_until: datetime | None = None
    sync_requested: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "detail": self.detail,
            "calendar_id": self.calendar_id,
            "paused_until": self.paused_until.isoformat() if self.paused_until else None,
            "sync_requested": self.sync_requested,
        }


def status(app: App, user_id: str) -> Status:
    with read_transaction(app.engine) as connection:
        found = store.connection_of(connection, user_id)
    if found is None:
        return Status("not-connected")
    paused = None
    state = found.status
    if found.paused_until is not None and found.paused_until > app.now().timestamp():
        paused = datetime.fromtimestamp(found.paused_until, UTC)
        state = "paused" if state == "connected" else state
    return Status(state, found.detail, found.goals_calendar_id, paused, found.sync_requested is not None)


# --- sync ----------------------------------------------------------------------------------------


def sync_once(app: App, google: Google, user_id: str) -> sync.Report:
    """Pull both calendars, plan the next weeks into free time, push the outbox — once."""
    report = sync.Report(user_id)
    now = app.now()
    with read_transaction(app.engine) as connection:
        found = store.connection_of(connection, user_id)
    if found is None or found.status == "disconnected" or not found.tokens:
        report.status = "not-connected"
        return report
    if found.status == "reconnect-needed":
        report.status, report.error = found.status, found.detail
        return report
    if found.paused_until is not None and found.paused_until > now.timestamp():
        report.status = "paused"
        report.error = found.detail
        return report
    tokens = google.vault.open_sealed(found.tokens)
    client = google.client(tokens)
    try:
        _sync(app, google, client, user_id, found, report)
        values: dict[str, Any] = {"status": "connected", "paused_until": None, "sync_requested": None}
        if not report.notices:
            values["detail"] = None
    except ReconnectNeededError as exc:
        report.status, report.error = "reconnect-needed", str(exc)
        values = {"status": "reconnect-needed", "detail": str(exc)}
    except QuotaExceededError as exc:
        until = now.timestamp() + google.settings.google_quota_pause
        report.status, report.error = (
            "paused",
            f"{exc}; paused until {datetime.fromtimestamp(until, UTC):%H:%M} UTC",
        )
        values = {"paused_until": until, "detail": report.error}
    except (GoogleError, sync.SyncConflictError) as exc:
        report.status, report.error = "error", str(exc)
        values = {"detail": str(exc)}
    finally:
        _keep_refreshed_tokens(app, google, user_id, found.tokens, tokens, client)
    with write_transaction(app.engine) as connection:
        store.update_connection(connection, user_id, updated_at=app.now().isoformat(), **values)
    app.projection.catch_up()
    return report


def _keep_refreshed_tokens(
    app: App, google: Google, user_id: str, sealed: str, tokens: dict[str, Any], client: GoogleCalendar
) -> None:
    fresh = google_oauth.tokens_of(client.credentials)
    if fresh["token"] and fresh["token"] != tokens.get("token"):
        fresh["refresh_token"] = fresh["refresh_token"] or tokens.get("refresh_token")
        with write_transaction(app.engine) as connection:
            store.replace_tokens(connection, user_id, sealed, google.vault.seal(fresh))


def _sync(
    app: App,
    google: Google,
    client: GoogleCalendar,
    user_id: str,
    found: store.ConnectionRecord,
    report: sync.Report,
) -> None:
    profile = app.profile(user_id)
    calendar_id = found.goals_calendar_id or _create_calendar(app, client, user_id, profile.timezone, report)
    changed = sync.pull(app, client, user_id, sync.PRIMARY, profile, report)
    try:
        sync.pull(app, client, user_id, sync.GOALS, profile, report)
    except GoogleNotFoundError:  # the user deleted the Networking goals calendar
        calendar_id = _create_calendar(app, client, user_id, profile.timezone, report, recreated=True)
    sync.settle_due(app, user_id, profile, report)
    app.projection.catch_up()
    fingerprint = _fingerprint(app, user_id, profile)
    if changed or fingerprint != found.plan_fingerprint:
        sync.make_plan(
            app,
            client,
            user_id,
            profile,
            google.settings.google_plan_weeks,
            google.settings.public_url,
            report,
        )
    public_url = google.settings.public_url
    try:
        sync.push(app, client, user_id, calendar_id, profile.timezone, report, public_url)
    except sync.CalendarGoneError:
        calendar_id = _create_calendar(app, client, user_id, profile.timezone, report, recreated=True)
        sync.push(app, client, user_id, calendar_id, profile.timezone, report, public_url)
    if google.watch:
        _renew_channels(app, google, client, user_id, calendar_id)
    with write_transaction(app.engine) as connection:
        store.update_connection(connection, user_id, plan_fingerprint=_fingerprint(app, user_id, profile))


def _fingerprint(app: App, user_id: str, profile: Profile) -> str:
    """What the plan depends on besides the calendars: the profile, the actions, and the user's
    local day (a new day in their time zone moves the planning window, not a new UTC day)."""
    actions = app.store.stream_version(actions_stream(user_id))
    today = local_date(app.now(), profile.tz)
    return f"{profile.version}/{actions}/{today.isoformat()}"


def _create_calendar(
    app: App,
    client: GoogleCalendar,
    user_id: str,
    time_zone: str,
    report: sync.Report,
    *,
    recreated: bool = False,
) -> str:
    calendar_id = client.create_calendar(
        sync.GOALS_CALENDAR, time_zone, "Time for your networking goals, planned by netgoals."
    )
    notice = None
    if recreated:
        notice = "Your “Networking goals” calendar was deleted; netgoals created it again."
        report.notices.append(notice)
    with write_transaction(app.engine) as connection:
        store.update_connection(connection, user_id, goals_calendar_id=calendar_id, detail=notice)
        store.set_calendar(connection, user_id, sync.GOALS, calendar_id)
        if store.sync_state(connection, user_id, sync.PRIMARY) is None:
            store.set_calendar(connection, user_id, sync.PRIMARY, "primary")
        if recreated:
            store.repush_all(connection, user_id, app.now().timestamp())
    return calendar_id


def _renew_channels(app: App, google: Google, client: GoogleCalendar, user_id: str, calendar_id: str) -> None:
    """One push channel per calendar; a new one before the old one expires, then stop the old."""
    now = app.now().timestamp()
    with read_transaction(app.engine) as connection:
        channels = store.channels_of(connection, user_id)
    for role, watched in ((sync.PRIMARY, "primary"), (sync.GOALS, calendar_id)):
        mine = [c for c in channels if c["role"] == role]
        if any(c["expiration"] - now > CHANNEL_RENEW_BEFORE.total_seconds() for c in mine):
            continue
        channel_id, token = secrets.token_hex(16), secrets.token_urlsafe(24)
        resource_id, expiration = client.watch(watched, channel_id, google.webhook_url, token)
        with write_transaction(app.engine) as connection:
            store.add_channel(connection, channel_id, user_id, role, resource_id, _hash(token), expiration)
        for old in mine:
            client.stop_channel(old["channel_id"], old["resource_id"])
            with write_transaction(app.engine) as connection:
                store.drop_channel(connection, old["channel_id"])


def sync_requested(app: App) -> list[str]:
    """Users a push notification asked to sync (the worker's sweep, or `netgoals sync`)."""
    with read_transaction(app.engine) as connection:
        return [
            u
            for u in store.connected_users(connection)
            if (c := store.connection_of(connection, u)) is not None and c.sync_requested is not None
        ]


def connected_users(app: App) -> list[str]:
    with read_transaction(app.engine) as connection:
        return store.connected_users(connection)


def notify(app: App, channel_id: str, token: str, resource_state: str) -> bool:
    """A push notification: verify the channel's token, then ask for a sync (debounced: one pending
    request per user). Returns False for unknown channels or a wrong token."""
    with write_transaction(app.engine) as connection:
        channel = store.channel(connection, channel_id)
        if channel is None or not secrets.compare_digest(channel["token_hash"], _hash(token)):
            return False
        if resource_state == "sync":
            return True
        found = store.connection_of(connection, channel["user_id"])
        if found is not None and found.sync_requested is None:
            store.update_connection(connection, channel["user_id"], sync_requested=app.now().timestamp())
    return True


# --- people you met ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Suggestion:
    email: str
    name: str | None
    met_at: str  # the event's start
    event: str  # its title
    times: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "name": self.name,
            "met_at": self.met_at,
            "event": self.event,
            "times": self.times,
        }


@dataclass
class _Met:
    name: str | None
    first: str
    event: str
    times: int = 0
    seen: set[str] = field(default_factory=set)


def suggestions(app: App, user_id: str) -> list[Suggestion]:
    """Attendees of attended events who are not contacts yet, most often met first."""
    profile = app.profile(user_id)
    with read_transaction(app.engine) as connection:
        counted = store.counted_occurrences(connection, user_id)
        hidden = store.dismissed(connection, user_id)
    met: dict[str, _Met] = {}
    for occurrence in counted:
        facts = occurrence.facts
        event = CalendarEvent(
            "",
            "",
            "confirmed",
            None,
            None,
            attendees=tuple(Attendee(e, n) for e, n in facts.get("attendees", [])),
        )
        for person in strangers(event, profile.contacts):
            if person.email in hidden:
                continue
            entry = met.setdefault(
                person.email, _Met(person.name, facts.get("at") or "", facts.get("title") or "")
            )
            entry.times += 1
            if (facts.get("at") or "") < entry.first:
                entry.first, entry.event = facts.get("at") or "", facts.get("title") or ""
            entry.name = entry.name or person.name
    found = [Suggestion(email, m.name, m.first, m.event, m.times) for email, m in met.items()]
    return sorted(found, key=lambda s: (-s.times, s.met_at, s.email))


def dismiss_suggestion(app: App, user_id: str, email: str) -> None:
    with write_transaction(app.engine) as connection:
        store.dismiss(connection, user_id, email.strip().lower())


@dataclass(frozen=True, slots=True)
class Added:
    contact_id: str
    follow_up: datetime | None


def add_suggestion(
    app: App, user_id: str, email: str, name: str | None = None, *, public_url: str = "http://127.0.0.1:8000"
) -> Added:
    """One step from a suggestion to a contact, and a short follow-up block within three days."""
    email = email.strip().lower()
    found = next((s for s in suggestions(app, user_id) if s.email == email), None)
    if found is None:
        raise NotFoundError(f"no suggestion for {email!r}: see `netgoals suggestions`")
    profile = app.profile(user_id)
    how_met = f"met at {found.event}" if found.event else "met at an event"
    contact_id = contacts_service.add_contact(
        app,
        user_id,
        ContactSpec(name=name or found.name or email.split("@")[0], emails=(email,), how_met=how_met),
        key=f"google-suggestion/{email}",
    )
    now = app.now()
    with read_transaction(app.engine) as connection:
        rows = store.outbox_rows(connection, user_id)
    blocks = [sync._block(r) for r in rows]
    slot = follow_up_slot([], blocks, now, profile.tz)
    if slot is None:
        return Added(contact_id, None)
    action_id = str(sync.derived_id(f"{user_id}/follow-up/{email}"))
    start, end = slot.astimezone(profile.tz), (slot + timedelta(minutes=15)).astimezone(profile.tz)
    title = f"Follow up with {name or found.name or email}"
    row = sync.outbox_row(
        user_id,
        action_id,
        None,
        "follow-up",
        title,
        f"You met at {found.event or 'an event'}. A short note now keeps the contact warm.\n\n"
        f"Dashboard: {public_url.rstrip('/')}/",
        start,
        end,
        None,
    )
    row["contact_ids"] = contact_id
    event = NewEvent(
        sync.derived_id(f"{action_id}/planned"),
        ev.ACTION_PLANNED,
        {
            "action_id": action_id,
            "goal_id": None,
            "kind": "follow-up",
            "start": start.isoformat(),
            "end": end.isoformat(),
            "title": title,
            "contact_ids": [contact_id],
            "at": now.isoformat(),
        },
    )
    with write_transaction(app.engine) as connection:
        if not any(r["action_id"] == action_id for r in rows):
            store.add_outbox(connection, [row])
        app.store.append_in(connection, StreamAppend(actions_stream(user_id), None, [event]))
    return Added(contact_id, start)
