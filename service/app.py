"""The application context every use case runs in: the store, the projection and the clock.

Use cases decide against a user's profile, append, then bring the projection up to date so that
whoever reads next (the same CLI invocation, the dashboard) sees the change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from sqlalchemy import Connection, Engine

from domain.decisions.profile import Profile
from domain.errors import ConcurrencyError, NotFoundError
from domain.event_types.events import Event, NewEvent, actions_stream, profile_stream
from integrations.storage import unit_of_work, views
from integrations.storage.database import lock_stream, read_transaction, write_transaction
from integrations.storage.event_store import EventStore, StreamAppend
from integrations.storage.projection import Projections
from service.settings import Settings

Clock = Callable[[], datetime]
_ID_NAMESPACE = uuid5(NAMESPACE_URL, "https://netgoals.invalid/ids")
_RETRIES = 5
USER_MEMO = "user"  # a unit's memo key for `App.user`, with the handle or id asked for


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class App:
    engine: Engine
    clock: Clock = system_clock
    store: EventStore = field(init=False)
    projection: Projections = field(init=False)

    def __post_init__(self) -> None:
        self.store = EventStore(self.engine, self.clock)
        self.projection = Projections(self.engine, self.store, self.clock)

    @classmethod
    def open(cls, settings: Settings, clock: Clock | None = None) -> App:
        """This process's App for these settings (`service/bootstrap.py`): the store they name,
        migrated to the newest schema; the clock NETGOALS_NOW fixes, else the system's, unless one
        is given."""
        from service import bootstrap

        return bootstrap.world(settings, clock).app

    def now(self) -> datetime:
        return self.clock()

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def unit(self) -> Iterator[None]:
        """One use-case step as a unit of work (`integrations/storage/unit_of_work.py`): its reads
        share one transaction, the profile is replayed once and the projections caught up once,
        until the step writes."""
        with unit_of_work.unit(self.engine):
            yield

    def release_read(self) -> None:
        """Before a call to another system (a calendar over HTTP): end the unit's read transaction,
        so no connection waits "idle in transaction" for the round trip; what the unit read (the
        profile) it keeps, and the next read begins a new transaction."""
        unit_of_work.release(self.engine)

    # --- ids ------------------------------------------------------------------------------------

    @staticmethod
    def new_id(user_id: str, key: str | None, purpose: str) -> str:
        """A fresh id, or with an idempotency key the same id every time the key is replayed."""
        if key is None:
            return str(uuid4())
        return str(uuid5(_ID_NAMESPACE, f"{user_id}/{key}/{purpose}"))

    @staticmethod
    def event_ids(user_id: str, key: str | None, count: int) -> list[UUID]:
        if key is None:
            return [uuid4() for _ in range(count)]
        return [uuid5(_ID_NAMESPACE, f"{user_id}/{key}/event/{i}") for i in range(count)]

    def replayed(self, user_id: str, key: str | None) -> bool:
        """Whether a command with this idempotency key was already appended."""
        return key is not None and self.store.contains(self.event_ids(user_id, key, 1)[0])

    # --- state ----------------------------------------------------------------------------------

    def profile(self, user_id: str) -> Profile:
        """Replay the user's profile stream: small, so commands decide on exact state. Inside a
        unit of work, once until the unit writes (callers read it, never change it)."""
        memo = unit_of_work.memo(self.engine)
        if memo is not None and ("profile", user_id) in memo:
            found: Profile = memo[("profile", user_id)]
            return found
        with read_transaction(self.engine) as connection:
            profile = self._profile_in(connection, user_id)
        if memo is not None:
            memo[("profile", user_id)] = profile
        return profile

    @staticmethod
    def _profile_in(connection: Connection, user_id: str) -> Profile:
        profile = Profile(user_id)
        # Types and payloads only (upcast as read_stream_in does): each decision and each send
        # replays a profile, and whole event rows cost more CPU than the fold (issue 26).
        for event_type, data in EventStore.stream_payloads(connection, profile_stream(user_id)):
            profile.apply(event_type, data)
        if not profile.registered:
            raise NotFoundError(f"no user with id {user_id!r}")
        return profile

    def user(self, handle_or_id: str) -> views.UserRecord:
        """The user as the views hold them, caught up: that user's events if the views know them
        already, else the whole log (a user whose registration was not projected yet). Inside a
        unit of work, once until it writes (a digest reads it for its progress and its network)."""
        memo = unit_of_work.memo(self.engine)
        if memo is not None and (USER_MEMO, handle_or_id) in memo:
            known: views.UserRecord = memo[(USER_MEMO, handle_or_id)]
            return known
        with read_transaction(self.engine) as connection:
            user = views.find_user(connection, handle_or_id)
        if user is None or self.projection.catch_up(user.user_id):
            if user is None:
                self.projection.catch_up()
            with read_transaction(self.engine) as connection:
                user = views.find_user(connection, handle_or_id)
        if user is None:
            raise NotFoundError(
                f"no user {handle_or_id!r}: run `netgoals init` (or `netgoals user add`) first"
            )
        if memo is not None:
            memo[(USER_MEMO, handle_or_id)] = user
        return user

    # --- deciding and appending -----------------------------------------------------------------

    def decide_profile(
        self, user_id: str, decide: Callable[[Profile], Sequence[Event]], key: str | None = None
    ) -> list[Event]:
        """Read the profile, decide and append in ONE transaction that holds the profile stream's
        lock from the read to the commit: decisions on one user wait for each other, so a browser
        tab, a phone and a worker writing at once all succeed. The expected-version check stays as
        the safety net; should it fire (a writer that skipped the lock), re-read and retry.
        A command whose idempotency key was already appended decides nothing again."""
        stream = profile_stream(user_id)
        for _ in range(_RETRIES):
            try:
                with write_transaction(self.engine) as connection:
                    lock_stream(connection, stream)
                    if key is not None and self.store.contains_in(
                        connection, self.event_ids(user_id, key, 1)[0]
                    ):
                        return []
                    profile = self._profile_in(connection, user_id)
                    decided = list(decide(profile))
                    if decided:
                        self.store.append_in(
                            connection, self._batch(stream, profile.version, decided, user_id, key)
                        )
            except ConcurrencyError:
                continue
            if decided:
                self.projection.catch_up(user_id, behind=True)
            return decided
        raise ConcurrencyError(f"too many concurrent changes to user {user_id}; try again")

    def append_actions(self, user_id: str, decided: Sequence[Event], key: str | None = None) -> None:
        """Actions are independent facts: they go to the end of the actions stream whatever its version."""
        if not decided:
            return
        self.store.append(self._batch(actions_stream(user_id), None, decided, user_id, key))
        self.projection.catch_up(user_id, behind=True)

    def _batch(
        self,
        stream_id: str,
        expected: int | None,
        decided: Sequence[Event],
        user_id: str,
        key: str | None,
    ) -> StreamAppend:
        ids = self.event_ids(user_id, key, len(decided))
        return StreamAppend(
            stream_id,
            expected,
            [NewEvent(i, e.type, e.data) for i, e in zip(ids, decided, strict=True)],
        )
