"""The progress projection's views: users, aspirations, goals, contacts with their interactions,
and done per goal and period — applied per batch of events with targeted reads and writes, or
written in bulk from a fold of the whole log."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy import Connection, Table, and_, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from domain.decisions.profile import EVENT_READING as PROFILE_READING
from domain.decisions.profile import Aspiration, Profile
from domain.event_types import events as ev
from domain.event_types.fold import LogFold
from domain.people.contacts import contact_from_dict
from domain.tracking.actions import ActionFact, Interactions, action_from_done
from domain.tracking.goals import Goal, goal_from_dict
from domain.tracking.periods import local_date, local_midnight
from domain.tracking.progress import count_by_period
from integrations.storage import view_rows
from integrations.storage.database import bulk_insert, is_sqlite
from integrations.storage.event_store import RawRow, decoded
from integrations.storage.schema import v_actions, v_aspirations, v_contacts, v_goals, v_progress, v_users

TABLES = (v_users, v_aspirations, v_goals, v_contacts, v_progress)
_CHUNK = 500  # ids per IN (...): well inside every driver's parameter limit
_COUNTED = frozenset({ev.ACTION_DONE, ev.ACTION_RETRACTED})  # the actions-stream events the views fold


def apply(connection: Connection, rows: list[RawRow]) -> None:
    """One batch of events; the action index must already hold them (it is caught up first)."""
    positions = [row[0] for row in rows]
    _IncrementalBatch(connection, positions[-1]).apply(zip(positions, decoded(rows), strict=True))


ViewRows = list[tuple[Table, list[dict[str, Any]]]]


def rows(fold: LogFold) -> ViewRows:
    """Every view's rows from a fold of the whole log. No database: most of a progress rebuild is
    this arithmetic, which a rebuild on SQLite does while SQLite derives the action index."""
    users, aspirations, goals, contacts, progress = [], [], [], [], []
    for user_id, user in fold.users.items():
        profile = user.profile
        if not profile.registered:
            continue
        users.append(view_rows.user_row(profile))
        aspirations += [view_rows.aspiration_row(user_id, a) for a in profile.aspirations.values()]
        goals += [view_rows.goal_row(user_id, g) for g in profile.goals.values()]
        seen = user.interactions()
        contacts += [
            view_rows.contact_row(user_id, c, seen.get(c.contact_id)) for c in profile.contacts.values()
        ]
        for goal_id, counts in user.counts(seen).items():
            progress += [view_rows.progress_row(user_id, goal_id, p, n) for p, n in counts.items() if n]
    return list(zip(TABLES, (users, aspirations, goals, contacts, progress), strict=True))


def write(connection: Connection, rows_by_table: ViewRows) -> None:
    """Insert `rows(fold)` into the (emptied) views."""
    for table, table_rows in rows_by_table:
        if table_rows:
            columns = tuple(table_rows[0])
            bulk_insert(connection, table.name, columns, [tuple(r.values()) for r in table_rows], copy=True)


def _insert_many(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        connection.execute(insert(table), rows)


def load_profile(connection: Connection, user_id: str) -> Profile | None:
    """A user's settings, aspirations, goals and contacts as the views hold them."""
    row = connection.execute(select(v_users).where(v_users.c.user_id == user_id)).mappings().first()
    if row is None:
        return None
    profile = Profile(
        user_id=user_id,
        handle=row["handle"],
        timezone=row["timezone"],
        week_start=row["week_start"],
        weekly_budget=row["weekly_budget"],
        registered_at=datetime.fromisoformat(row["registered_at"]),
    )
    aspirations = select(v_aspirations).where(v_aspirations.c.user_id == user_id)
    for r in connection.execute(aspirations).mappings():  # an update folds onto the stored one
        profile.aspirations[r["aspiration_id"]] = Aspiration(
            r["aspiration_id"], r["text"], r["kind"], datetime.fromisoformat(r["added_at"])
        )
    for data in connection.scalars(select(v_goals.c.data).where(v_goals.c.user_id == user_id)):
        goal = goal_from_dict(json.loads(data))
        profile.goals[goal.goal_id] = goal
    for data in connection.scalars(select(v_contacts.c.data).where(v_contacts.c.user_id == user_id)):
        contact = contact_from_dict(json.loads(data))
        profile.contacts[contact.contact_id] = contact
    return profile


def _instant(epoch: float | None) -> datetime | None:
    return datetime.fromtimestamp(epoch, UTC) if epoch is not None else None


@dataclass(slots=True)
class _UserChanges:
    profile: Profile
    new: bool = False
    settings_changed: bool = False
    goals: set[str] = field(default_factory=set)
    contacts: set[str] = field(default_factory=set)
    aspirations: set[str] = field(default_factory=set)
    recount_goals: set[str] = field(default_factory=set)
    dirty: set[tuple[str, date]] = field(default_factory=set)
    added: dict[tuple[str, date], int] = field(default_factory=dict)  # done += n, no recount


class _IncrementalBatch:
    """Applies one batch of events to the views with targeted reads and writes.

    A new action adds one to each period it counts for and moves its contacts' first and last
    interaction: the cost of a write does not grow with the history. Rarer changes (a retraction,
    a goal set or archived, a new time zone, a moved first interaction for new-contact goals)
    recount from the action index, reading only rows made by events up to this batch (`upto`),
    so a recount and the additions of later batches never count an action twice.
    """

    def __init__(self, connection: Connection, upto: int) -> None:
        self.connection = connection
        self.upto = upto
        self.users: dict[str, _UserChanges] = {}

    def apply(self, rows: Iterable[tuple[int, tuple[str, str, dict[str, Any]]]]) -> None:
        for position, (stream_id, event_type, data) in rows:
            kind, _, owner = stream_id.partition("-")
            if kind == "user":
                self._profile_event(owner, event_type, data)
            elif kind == "actions" and event_type in _COUNTED:
                # Only these move the views: an update decided or delivered (most of an actions
                # stream on a digest morning) must not cost four reads of the owner's rows.
                changes = self._user(owner)
                if changes is None:
                    continue
                if event_type == ev.ACTION_DONE:
                    self._action_done(changes, action_from_done(data), position)
                else:
                    self._action_retracted(changes, data["action_id"], position)
        for changes in self.users.values():
            self._flush(changes)

    def _user(self, user_id: str) -> _UserChanges | None:
        changes = self.users.get(user_id)
        if changes is None:
            profile = load_profile(self.connection, user_id)
            if profile is None:
                return None
            changes = self.users[user_id] = _UserChanges(profile)
        return changes

    def _profile_event(self, user_id: str, event_type: str, data: dict[str, Any]) -> None:
        if event_type == ev.USER_REGISTERED:
            changes = self.users[user_id] = _UserChanges(Profile(user_id), new=True)
        else:
            found = self._user(user_id)
            if found is None:
                return
            changes = found
        old_zone = (changes.profile.timezone, changes.profile.week_start)
        changes.profile.apply(event_type, data)
        if event_type in (ev.USER_REGISTERED, ev.USER_SETTINGS_CHANGED):
            changes.settings_changed = True
            if (changes.profile.timezone, changes.profile.week_start) != old_zone:
                changes.recount_goals.update(changes.profile.goals)  # period edges moved
        elif event_type.startswith("goal."):
            changes.goals.add(data["goal_id"])
            if event_type in (ev.GOAL_SET, ev.GOAL_ARCHIVED):
                changes.recount_goals.add(data["goal_id"])
        elif event_type.startswith("contact."):
            changes.contacts.add(data["contact_id"])
            if event_type == ev.CONTACT_UPDATED:  # now at (or no longer at) a goal's kind of organisation
                kinds = (g.goal_id for g in changes.profile.goals.values() if g.contact_kind is not None)
                changes.recount_goals.update(kinds)
        elif event_type in (ev.ASPIRATION_ADDED, ev.ASPIRATION_UPDATED):
            changes.aspirations.add(data["aspiration_id"])

    # --- actions ---------------------------------------------------------------------------------

    def _mark(
        self, changes: _UserChanges, kind: str | None, at: datetime, new_contact_goals: bool = False
    ) -> None:
        profile = changes.profile
        day = local_date(at, profile.tz)
        for goal in profile.goals.values():
            if (kind is not None and goal.action == kind) or (new_contact_goals and goal.new_contacts_only):
                period = goal.period_for(day, profile.week_start)
                if period is not None:
                    changes.dirty.add((goal.goal_id, period.start))

    def _action_done(self, changes: _UserChanges, action: ActionFact, position: int) -> None:
        key = and_(v_actions.c.user_id == changes.profile.user_id, v_actions.c.action_id == action.action_id)
        made_at = self.connection.scalar(select(v_actions.c.position).where(key))
        if made_at is not None and made_at not in (0, position):
            return  # the same action logged again: the first one stands (as in the action index)
        if made_at != position:  # indexed before positions were kept: recount, the old way
            self._mark(changes, action.kind, action.at)
            self._refresh_contacts(changes, action.contact_ids)
            return
        profile = changes.profile
        day = local_date(action.at, profile.tz)
        for goal in profile.goals.values():
            if not goal.counts(action.kind, action.contact_ids, profile.contacts):
                continue
            if goal.archived_at is not None and action.at >= goal.archived_at:
                continue
            period = goal.period_for(day, profile.week_start)
            if period is None:
                continue
            if goal.new_contacts_only:  # distinct contacts met first: recount that period
                changes.dirty.add((goal.goal_id, period.start))
            else:
                slot = (goal.goal_id, period.start)
                changes.added[slot] = changes.added.get(slot, 0) + 1
        self._add_interaction(changes, action)

    def _add_interaction(self, changes: _UserChanges, action: ActionFact) -> None:
        """One more interaction with each contact of a new action: first, last and count move."""
        user_id, moment = changes.profile.user_id, action.at.timestamp()
        for contact_id in action.contact_ids:
            key = and_(v_contacts.c.user_id == user_id, v_contacts.c.contact_id == contact_id)
            row = self.connection.execute(
                select(v_contacts.c.first_at, v_contacts.c.last_at).where(key)
            ).first()
            if row is None:
                continue  # a contact added in this batch: its row is written, counted, at the flush
            old_first, old_last = row
            first = moment if old_first is None else min(old_first, moment)
            last = moment if old_last is None else max(old_last, moment)
            self.connection.execute(
                update(v_contacts)
                .where(key)
                .values(first_at=first, last_at=last, interactions=v_contacts.c.interactions + 1)
            )
            if first != old_first:
                for earlier in (_instant(old_first), action.at):
                    if earlier is not None:
                        self._mark(changes, None, earlier, new_contact_goals=True)

    def _action_retracted(self, changes: _UserChanges, action_id: str, position: int) -> None:
        # The action index (caught up first) knows what the retracted action was.
        key = and_(v_actions.c.user_id == changes.profile.user_id, v_actions.c.action_id == action_id)
        row = self.connection.execute(select(v_actions).where(key)).mappings().first()
        if row is None:
            return
        self._mark(changes, row["kind"], datetime.fromisoformat(row["at_iso"]))
        # As of this event: actions later in the batch add themselves when their turn comes.
        self._refresh_contacts(changes, tuple(json.loads(row["contact_ids"])), upto=position)

    def _refresh_contacts(
        self, changes: _UserChanges, contact_ids: tuple[str, ...], *, upto: int | None = None
    ) -> None:
        """Recompute first/last interaction of these contacts (from the index up to `upto`, the
        batch's end by default); a moved first interaction changes which period counts them as new."""
        user_id = changes.profile.user_id
        for contact_id in contact_ids:
            key = and_(v_contacts.c.user_id == user_id, v_contacts.c.contact_id == contact_id)
            old_first = _instant(self.connection.scalar(select(v_contacts.c.first_at).where(key)))
            seen = self._interactions(user_id, contact_id, upto)
            self.connection.execute(
                update(v_contacts)
                .where(key)
                .values(
                    first_at=seen.first.timestamp() if seen.first else None,
                    last_at=seen.last.timestamp() if seen.last else None,
                    interactions=seen.count,
                )
            )
            if old_first != seen.first:
                for moment in (old_first, seen.first):
                    if moment is not None:
                        self._mark(changes, None, moment, new_contact_goals=True)

    def _interactions(self, user_id: str, contact_id: str, upto: int | None = None) -> Interactions:
        # Contacts are stored as a JSON list; ids are uuids, so the quoted id cannot match by accident.
        query = select(v_actions.c.at).where(
            v_actions.c.user_id == user_id,
            v_actions.c.retracted.is_(False),
            v_actions.c.position <= (self.upto if upto is None else upto),
            v_actions.c.contact_ids.contains(f'"{contact_id}"'),
        )
        moments = [_instant(at) for at in self.connection.scalars(query)]
        if not moments:
            return Interactions()
        return Interactions(min(moments), max(moments), len(moments))  # type: ignore[type-var]

    # --- writing back ----------------------------------------------------------------------------

    def _flush(self, changes: _UserChanges) -> None:
        profile, user_id, connection = changes.profile, changes.profile.user_id, self.connection
        if changes.settings_changed:
            connection.execute(delete(v_users).where(v_users.c.user_id == user_id))
            connection.execute(insert(v_users).values(view_rows.user_row(profile)))
        for aspiration_id in changes.aspirations:
            row = view_rows.aspiration_row(user_id, profile.aspirations[aspiration_id])
            connection.execute(
                delete(v_aspirations).where(
                    v_aspirations.c.user_id == user_id, v_aspirations.c.aspiration_id == aspiration_id
                )
            )
            connection.execute(insert(v_aspirations).values(row))
        for goal_id in changes.goals:
            connection.execute(
                delete(v_goals).where(v_goals.c.user_id == user_id, v_goals.c.goal_id == goal_id)
            )
            connection.execute(insert(v_goals).values(view_rows.goal_row(user_id, profile.goals[goal_id])))
        if changes.contacts:
            self._write_contacts(profile, changes.contacts)
        for goal_id in changes.recount_goals:
            self._recount(profile, profile.goals[goal_id], None)
        for goal_id, period_start in changes.dirty:
            if goal_id not in changes.recount_goals:
                self._recount(profile, profile.goals[goal_id], period_start)
        added = [
            view_rows.progress_row(user_id, goal_id, period_start, n)
            for (goal_id, period_start), n in changes.added.items()
            if goal_id not in changes.recount_goals and (goal_id, period_start) not in changes.dirty
        ]
        if added:
            dialect_insert = sqlite.insert if is_sqlite(connection) else postgresql.insert
            upsert = dialect_insert(v_progress)
            connection.execute(
                upsert.on_conflict_do_update(
                    index_elements=["user_id", "goal_id", "period_start"],
                    set_={"done": v_progress.c.done + upsert.excluded.done},
                ),
                added,
            )

    def _write_contacts(self, profile: Profile, contact_ids: set[str]) -> None:
        """Changed contacts in a few statements, not a few per contact: an import brings thousands."""
        user_id, connection = profile.user_id, self.connection
        wanted = sorted(contact_ids)
        existing: set[str] = set()
        for start in range(0, len(wanted), _CHUNK):
            query = select(v_contacts.c.contact_id).where(
                v_contacts.c.user_id == user_id, v_contacts.c.contact_id.in_(wanted[start : start + _CHUNK])
            )
            existing.update(connection.scalars(query))
        if existing:
            statement = (
                update(v_contacts)
                .where(v_contacts.c.user_id == bindparam("u"), v_contacts.c.contact_id == bindparam("c"))
                .values(data=bindparam("d"))
            )
            rows = [
                {"u": user_id, "c": c, "d": view_rows.contact_row(user_id, profile.contacts[c], None)["data"]}
                for c in sorted(existing)
            ]
            connection.execute(statement, rows)
        fresh = [c for c in wanted if c not in existing]
        if fresh:
            # New in this batch: actions later in the batch could not update a row that did not exist.
            seen = self._interactions_of(user_id, set(fresh))
            rows = [view_rows.contact_row(user_id, profile.contacts[c], seen.get(c)) for c in fresh]
            _insert_many(connection, v_contacts, rows)

    def _interactions_of(self, user_id: str, contact_ids: set[str]) -> dict[str, Interactions]:
        """First, last and count of interactions for these contacts, in one pass over the index."""
        if len(contact_ids) == 1:
            [only] = contact_ids
            return {only: self._interactions(user_id, only)}
        query = select(v_actions.c.at, v_actions.c.contact_ids).where(
            v_actions.c.user_id == user_id, v_actions.c.retracted.is_(False), v_actions.c.contact_ids != "[]"
        )
        moments: dict[str, list[float]] = {}
        for at, ids in self.connection.execute(query):
            for contact_id in json.loads(ids):
                if contact_id in contact_ids:
                    moments.setdefault(contact_id, []).append(at)
        return {c: Interactions(_instant(min(m)), _instant(max(m)), len(m)) for c, m in moments.items()}

    def _recount(self, profile: Profile, goal: Goal, period_start: date | None) -> None:
        """Count one period of a goal (or all of them) from the action index."""
        tz, user_id = profile.tz, profile.user_id
        query = select(v_actions.c.action_id, v_actions.c.at_iso, v_actions.c.contact_ids).where(
            v_actions.c.user_id == user_id,
            v_actions.c.kind == goal.action,
            v_actions.c.retracted.is_(False),
            v_actions.c.position <= self.upto,  # later actions are added when their batch comes
        )
        scope = delete(v_progress).where(
            v_progress.c.user_id == user_id, v_progress.c.goal_id == goal.goal_id
        )
        if period_start is not None:
            period = goal.period_for(period_start, profile.week_start)
            assert period is not None
            query = query.where(
                v_actions.c.at >= local_midnight(period.start, tz).timestamp(),
                v_actions.c.at < local_midnight(period.end, tz).timestamp(),
            )
            scope = scope.where(v_progress.c.period_start == period.start)
        actions = [
            ActionFact(action_id, goal.action, datetime.fromisoformat(at), tuple(json.loads(contacts)))
            for action_id, at, contacts in self.connection.execute(query)
        ]
        firsts = self._firsts(user_id, actions, goal)
        counts = count_by_period(goal, actions, firsts, tz, profile.week_start, contacts=profile.contacts)
        if period_start is not None:
            counts = {p: n for p, n in counts.items() if p == period_start}
        self.connection.execute(scope)
        _insert_many(
            self.connection,
            v_progress,
            [view_rows.progress_row(user_id, goal.goal_id, p, n) for p, n in counts.items() if n],
        )

    def _firsts(self, user_id: str, actions: list[ActionFact], goal: Goal) -> dict[str, datetime]:
        if not goal.new_contacts_only:
            return {}
        wanted = {c for a in actions for c in a.contact_ids}
        if not wanted:
            return {}
        query = select(v_contacts.c.contact_id, v_contacts.c.first_at).where(
            v_contacts.c.user_id == user_id,
            v_contacts.c.contact_id.in_(wanted),
            v_contacts.c.first_at.is_not(None),
        )
        return {c: datetime.fromtimestamp(at, UTC) for c, at in self.connection.execute(query)}


# How the incremental projection reads each event type (tests/unit/test_event_readers.py): the
# same as a rebuild's fold, which it must agree with — except handle claims, which no view holds.
EVENT_READING: Final = ev.reading(
    handled=(
        ev.ACTION_DONE,
        ev.ACTION_RETRACTED,
        *(t for t, how in PROFILE_READING.items() if how == ev.HANDLED),
    ),
    ignored=(
        ev.HANDLE_CLAIMED,
        ev.ACTION_PLANNED,
        ev.ACTION_RESCHEDULED,
        ev.ACTION_SKIPPED,
        ev.ACTION_FULFILLED,
        ev.CONFIRMATION_ADOPTED,
        ev.UPDATE_DECIDED,
        ev.UPDATE_DELIVERED,
        ev.UPDATE_FAILED,
        ev.CALENDAR_CONNECTED,
        ev.CALENDAR_DISCONNECTED,
        ev.NEXT_ANSWERED,  # an answer to a suggestion: the done action it logs is its own event
    ),
)
