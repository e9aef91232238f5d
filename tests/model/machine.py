"""The model test's state machine: what a person and their calendars do to netgoals, and after every
step, what must hold — checked against the reference model (tests/model/reference.py), never against
numbers the code under test computed."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from icalendar import Calendar

from domain.decisions import ContactSpec, GoalSpec
from domain.errors import DomainError
from domain.progress_updates.updates import WaitingBlock
from service import google, ical
from service import updates as updates_service
from service.operations import archive
from service.people import contacts
from service.read_models import history, records
from service.read_models import progress as progress_service
from service.tracking import actions, confirmation, goals
from tests.ical.calendar_server import Route
from tests.ical.ics import vcalendar, vevent
from tests.integration.scenario import snapshot
from tests.model.reference import Fact, Reference, RefGoal
from tests.model.world import Servers, World

KINDS = ("attend-event", "reach-out", "meet-mentor", "follow-up", "offer-help")
# Calendar event titles: one per action kind's keywords, and one that matches no keyword (it can
# still count for the mentor goal through the mentor's email).
TITLES = ("Climate meetup", "Coffee with a founder", "Follow up call", "Lunch", "Product conference")
GOAL_CHOICES = ("monthly-event", "weekly-outreach", "mentor", "custom-week", "custom-quarter", "deadline")
VIAS = ("dashboard", "cli", "api", "link", "title")
# Issue 22's numbered breaks still open on this branch: the checks that find them stay in the model
# and are switched off here only until the fix is merged (then the number goes from this set).
OPEN_BREAKS: frozenset[int] = frozenset()


class ServiceModel(RuleBasedStateMachine):
    servers: Servers  # set by the test before the machine runs
    runs = 0  # examples and steps played in this process, for the long run's record
    total_steps = 0

    def __init__(self) -> None:
        super().__init__()
        self.world = World(self.servers)
        ServiceModel.runs += 1
        self.ref = Reference(tz=self.world.app.profile(self.world.user_id).tz)
        self.contacts: list[str] = []
        self.manual: list[str] = []  # logged action ids, retractable
        self.google_events: dict[str, dict[str, Any]] = {}  # fake event id -> what the model knows
        self.ical_events: dict[str, dict[str, Any]] = {}  # uid -> what the model knows
        self.ical_source: str | None = None
        self.updates_on = False
        self.told: set[str] = set()
        self.google_connected = False
        self.said_done: dict[str, Any] = {}  # blocks the person said happened, by any channel
        self.steps = 0
        self.feeds_seen_at = -1

    def teardown(self) -> None:
        try:
            for goal_id in (None, *self.ref.goals):
                self._check_feed(goal_id)
        finally:
            self.world.close()

    # --- helpers --------------------------------------------------------------------------------
    @property
    def app(self) -> Any:
        return self.world.app

    @property
    def user(self) -> str:
        return self.world.user_id

    def now(self) -> datetime:
        return self.world.clock()

    def today(self) -> date:
        return self.ref.day(self.now())

    def sync(self) -> None:
        if not self.google_connected:
            self.world.connect_google()
            self.google_connected = True
        report = google.sync_once(self.app, self.world.google, self.user)
        assert report.status == "connected", report

    # --- what people do ----------------------------------------------------------------------
    @initialize(strength=st.integers(1, 5))
    def the_readmes_tour(self, strength: int) -> None:
        """Every example starts as the tour does: a contact and a goal from every template."""
        self.add_contact(strength)
        for template in ("monthly-event", "weekly-outreach", "mentor"):
            self.set_goal(template, 0, template == "weekly-outreach")

    @rule(strength=st.integers(1, 5))
    def add_contact(self, strength: int) -> None:
        n = len(self.contacts)
        email = f"person{n}@contacts.example"
        contact_id = contacts.add_contact(
            self.app, self.user, ContactSpec(name=f"Person {n}", emails=(email,), strength=strength)
        )
        self.contacts.append(contact_id)
        self.ref.emails[email] = contact_id

    @rule(choice=st.sampled_from(GOAL_CHOICES), pick=st.integers(0, 9), aspiration=st.booleans())
    def set_goal(self, choice: str, pick: int, aspiration: bool) -> None:
        today = self.today()
        why = None
        if aspiration:
            why = goals.add_aspiration(self.app, self.user, f"Aspiration {len(self.ref.goals)}", "new-job")
        n = len(self.ref.goals)
        if choice == "mentor":
            if not self.contacts:
                return
            mentor = self.contacts[pick % len(self.contacts)]
            spec = GoalSpec(template="mentor", contact_ids=(mentor,), aspiration_id=why)
        elif choice in ("monthly-event", "weekly-outreach"):
            spec = GoalSpec(template=choice, aspiration_id=why)
        elif choice == "custom-week":
            spec = GoalSpec(
                title=f"Follow up {n}", action="follow-up", target=2, frame="week", aspiration_id=why
            )
        elif choice == "custom-quarter":
            spec = GoalSpec(title=f"Events {n}", action="attend-event", target=3, frame="quarter")
        else:
            spec = GoalSpec(
                title=f"Offer help {n}",
                action="offer-help",
                target=3,
                deadline=today + timedelta(days=40 + pick),
            )
        goal_id = goals.set_goal(self.app, self.user, spec).goal_id
        found = next(g for g in goals.list_goals(self.app, self.user) if g.goal_id == goal_id)
        # The README's promises for the templates, and the goal's definition as asked for.
        readme = {
            "monthly-event": ("attend-event", 1, "month"),
            "weekly-outreach": ("reach-out", 1, "week"),
            "mentor": ("meet-mentor", 6, "deadline"),
        }
        if choice in readme:
            assert (found.action, found.target, found.frame.value) == readme[choice], found
        assert found.start == today, (found.start, today)
        self.ref.goals[goal_id] = RefGoal(
            goal_id,
            found.title,
            found.action,
            found.target,
            found.frame.value,
            found.start,
            found.deadline,
            frozenset(found.contact_ids),
            choice == "weekly-outreach",
        )

    @rule(kind=st.sampled_from(KINDS), hours_ago=st.integers(0, 96), pick=st.integers(-1, 9))
    def log(self, kind: str, hours_ago: int, pick: int) -> None:
        at = self.now() - timedelta(hours=hours_ago)
        chosen = (self.contacts[pick % len(self.contacts)],) if pick >= 0 and self.contacts else ()
        action_id = actions.log_action(
            self.app, self.user, kind, at, contact_ids=chosen, title=f"{kind} by hand"
        )
        self.manual.append(action_id)
        self.ref.add(Fact(action_id, kind, at, frozenset(chosen), "manual"))

    @precondition(lambda self: any(not self.ref.facts[a].retracted for a in self.manual))
    @rule(pick=st.integers(0, 50))
    def retract(self, pick: int) -> None:
        live = [a for a in self.manual if not self.ref.facts[a].retracted]
        action_id = live[pick % len(live)]
        actions.retract_action(self.app, self.user, action_id)
        self.ref.retract(action_id)

    @rule(hours=st.integers(1, 96))
    def let_time_pass(self, hours: int) -> None:
        self.world.clock.now = self.now() + timedelta(hours=hours)

    # --- Google Calendar ---------------------------------------------------------------------
    @rule(
        title=st.sampled_from(TITLES),
        hours_ago=st.integers(2, 96),
        accepted=st.booleans(),
        pick=st.integers(-1, 9),
    )
    def google_event(self, title: str, hours_ago: int, accepted: bool, pick: int) -> None:
        start = self.now() - timedelta(hours=hours_ago)
        others = [{"email": "host@elsewhere.example", "responseStatus": "accepted"}]
        present: frozenset[str] = frozenset()
        if pick >= 0 and self.contacts:
            email = f"person{pick % len(self.contacts)}@contacts.example"
            others.append({"email": email, "responseStatus": "accepted"})
            present = frozenset({self.ref.emails[email]})
        event = self.servers.fake.add_event(
            self.world.email,
            {
                "summary": title,
                "start": {"dateTime": start.isoformat()},
                "end": {"dateTime": (start + timedelta(hours=1)).isoformat()},
                "organizer": {"email": "host@elsewhere.example"},
                "attendees": [
                    {"email": self.world.email, "responseStatus": "accepted" if accepted else "declined"},
                    *others,
                ],
            },
        )
        known = {"title": title, "start": start, "present": present, "attending": accepted, "credits": {}}
        self.google_events[event["id"]] = known
        self.sync()
        self._reconcile("g", event["id"], known)

    @precondition(lambda self: bool(self.google_events))
    @rule(
        pick=st.integers(0, 50),
        change=st.sampled_from(["cancel", "decline", "accept", "move"]),
        hours=st.integers(-48, 48),
    )
    def google_change(self, pick: int, change: str, hours: int) -> None:
        event_id = list(self.google_events)[pick % len(self.google_events)]
        known = self.google_events[event_id]
        if known.get("cancelled"):
            return
        fake, email = self.servers.fake, self.world.email
        if change == "cancel":
            fake.cancel_event(email, event_id)
            known["cancelled"] = True
        elif change in ("decline", "accept"):
            fake.set_response_status(email, event_id, "declined" if change == "decline" else "accepted")
            known["attending"] = change == "accept"
        else:
            start = min(known["start"] + timedelta(hours=hours), self.now() - timedelta(hours=2))
            fake.move_event(email, event_id, start=start)
            known["start"] = start
        self.sync()
        self._reconcile("g", event_id, known)

    def _reconcile(self, prefix: str, event_id: str, known: dict[str, Any]) -> None:
        """README: an event counts as every kind of goal it matches, at its start; a change moves
        it from what it counted to what it should count now."""
        wanted: dict[str, datetime] = {}
        if (
            known["attending"]
            and not known.get("cancelled")
            and known["start"] + timedelta(hours=1) <= self.now()
        ):
            wanted = {k: known["start"] for k in self.ref.calendar_kinds(known["title"], known["present"])}
        credits: dict[str, str] = known["credits"]
        for kind, key in list(credits.items()):
            if wanted.get(kind) != self.ref.facts[key].at:
                self.ref.retract(key)
                del credits[kind]
        for kind, at in wanted.items():
            if kind not in credits:
                key = f"{prefix}:{event_id}:{kind}:{uuid4()}"
                source = "google" if prefix == "g" else "ical"
                self.ref.add(Fact(key, kind, at, known["present"], source))
                credits[kind] = key

    @rule()
    def plan_and_sync(self) -> None:
        self.sync()

    # --- did the block happen? -------------------------------------------------------------------
    @rule(pick=st.integers(0, 50), done=st.booleans(), via=st.sampled_from(VIAS), whom=st.integers(-1, 9))
    def answer_block(self, pick: int, done: bool, via: str, whom: int) -> None:
        found = confirmation.ledger(self.app, self.user)
        passed = sorted(
            (b for b in found.blocks.values() if b.start <= self.now()),
            key=lambda b: (b.start, b.kind, b.title),
        )
        if not passed:
            return
        block = passed[pick % len(passed)]
        was_fulfilled = block.outcome == "fulfilled"
        was_done = block.outcome == "done"
        if via == "title":
            if not done or block.outcome is not None:
                return  # a ✓ title says "done" only, and only while the block waits
            calendar = google.status(self.app, self.user).calendar_id
            event_id = next(
                (
                    e["id"]
                    for e in self.servers.fake.list_events(self.world.email, calendar_id=calendar)
                    if (e.get("extendedProperties") or {}).get("private", {}).get("netgoals_action")
                    == block.action_id
                ),
                None,
            )
            if event_id is None:
                return
            event = self.servers.fake.get_event(self.world.email, event_id, calendar_id=calendar)
            self.servers.fake.update_event(
                self.world.email, event_id, {"summary": "✓ " + event["summary"]}, calendar_id=calendar
            )
            self.sync()
            state = confirmation.ledger(self.app, self.user).blocks[block.action_id].outcome
            if state is None:  # a ✓ cannot say with whom: a block whose goal needs it still waits
                assert self._needs_whom(block), "a ✓ title left the block waiting"
                return
            assert state in ("done", "fulfilled"), f"a ✓ title left the block {state}"
            self.said_done[block.action_id] = block
            return
        whom_ids = (self.contacts[whom % len(self.contacts)],) if whom >= 0 and self.contacts else ()
        answer = "done" if done else "skip"
        try:
            answered = confirmation.confirm(self.app, self.user, block.action_id, answer, via, whom_ids)
        except DomainError as exc:
            refused = str(exc)
        else:
            refused = None
        if refused is not None:
            refused_skip = not done and (was_done or was_fulfilled)
            asks_whom = done and self._needs_whom(block, whom_ids)
            assert refused_skip or asks_whom, f"{via} refused {answer}: {refused}"
            return
        if done:
            assert answered.state in ("done", "fulfilled"), (
                f"'done' through {via} left the block {answered.state}"
            )
            self.said_done[block.action_id] = block

    def _needs_whom(self, block: Any, whom_ids: tuple[str, ...] = ()) -> bool:
        """README: a goal about people counts only actions with one of them (a new-contact goal:
        with a contact at all); a "done" that names nobody it could count with is asked "with whom?"
        (the people named in the answer stand for the block's own)."""
        goal = self.ref.goals.get(block.goal_id or "")
        return goal is not None and not goal.qualifies(block.kind, frozenset(whom_ids or block.contact_ids))

    def _observe_confirmations(self) -> None:
        """A block the person said happened counts from when the log records their word as a done
        action (at once; or, for a block fulfilled by evidence that is later retracted, when their
        word takes over). Whether it counts, and for what, is the model's."""
        if not self.said_done:
            return
        found = confirmation.ledger(self.app, self.user)
        for block_id, block in self.said_done.items():
            if block_id not in self.ref.facts and found.blocks[block_id].outcome == "done":
                # with whom: as the person said it (or the one person the block was planned with)
                done = records.action(self.app, self.user, block_id)
                self.ref.add(
                    Fact(block_id, block.kind, block.start, frozenset(done.contact_ids), "confirmed")
                )

    @rule()
    def sweep(self) -> None:
        confirmation.sweep(self.app, self.user)

    # --- iCal sources -----------------------------------------------------------------------
    @rule(
        title=st.sampled_from(TITLES),
        hours_ago=st.integers(2, 96),
        accepted=st.booleans(),
        pick=st.integers(-1, 9),
    )
    def ical_event(self, title: str, hours_ago: int, accepted: bool, pick: int) -> None:
        start = self.now() - timedelta(hours=hours_ago)
        present: frozenset[str] = frozenset()
        extra = ""
        if pick >= 0 and self.contacts:
            email = f"person{pick % len(self.contacts)}@contacts.example"
            extra = f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{email}"
            present = frozenset({self.ref.emails[email]})
        uid = f"{uuid4()}@model"
        self.ical_events[uid] = {
            "title": title,
            "start": start,
            "present": present,
            "attending": accepted,
            "credits": {},
            "extra": extra,
        }
        self._read_source()

    @precondition(lambda self: bool(self.ical_events))
    @rule(pick=st.integers(0, 50))
    def ical_cancel(self, pick: int) -> None:
        uid = list(self.ical_events)[pick % len(self.ical_events)]
        self.ical_events[uid]["cancelled"] = True
        self._read_source()

    def _read_source(self) -> None:
        def stamp(at: datetime) -> str:
            return at.astimezone(self.ref.tz).strftime("%Y%m%dT%H%M%S")

        tz_param = "Europe/Berlin"
        body = vcalendar(
            *(
                vevent(
                    uid,
                    f"{stamp(e['start'])}",
                    f"{stamp(e['start'] + timedelta(hours=1))}",
                    e["title"],
                    partstat="ACCEPTED" if e["attending"] else "DECLINED",
                    me=self.world.email,
                    extra=e["extra"] + ("\r\nSTATUS:CANCELLED" if e.get("cancelled") else ""),
                )
                .replace("DTSTART:", f"DTSTART;TZID={tz_param}:")
                .replace("DTEND:", f"DTEND;TZID={tz_param}:")
                for uid, e in self.ical_events.items()
            ),
            header="X-WR-TIMEZONE:Europe/Berlin",
        )
        self.servers.calendars.routes[self.world.calendar_path] = Route(body=body, etag=f'"{uuid4()}"')
        if self.ical_source is None:
            url = self.servers.calendars.url(self.world.calendar_path)
            self.ical_source = ical.add_source(self.app, self.world.settings, self.user, url).source_id
        report = ical.sync_source(self.app, self.world.settings, self.ical_source, self.user)
        assert not report.error, report.error
        for uid, known in self.ical_events.items():  # a changed file is read whole, every event again
            self._reconcile("i", uid, known)

    # --- progress updates ----------------------------------------------------------------------
    @rule()
    def progress_updates(self) -> None:
        if not self.updates_on:
            url = f"{self.servers.hooks.url}/{self.world.email}"
            updates_service.set_channel(self.app, self.world.updates, self.user, "webhook", webhook_url=url)
            self.updates_on = True
        waiting = [
            WaitingBlock(w.action_id, w.title, w.end) for w in confirmation.waiting(self.app, self.user)
        ]
        updates_service.decide(self.app, self.world.updates, self.user, waiting)
        sent = updates_service.deliver_due(self.app, self.world.updates, self.user)
        assert all(s.delivered for s in sent), sent
        path = f"/hook/{self.world.email}"
        for received in self.servers.hooks.received:
            if received.path != path or received.headers.get("X-Netgoals-Delivery") in self.told:
                continue
            self.told.add(received.headers.get("X-Netgoals-Delivery", ""))
            self._check_update(received.json)

    def _check_update(self, body: dict[str, Any]) -> None:
        """What an update says agrees with the model's progress."""
        kind, change = body["type"], body.get("change", "")
        today = self.today()
        if kind in ("goal-met", "streak-broken", "fell-behind", "deadline-achieved"):
            goal = self.ref.goals[body["goal_id"]]
            rows = {r.period.start.isoformat(): r for r in self.ref.expected(goal, today)}
            if kind == "deadline-achieved":
                row = next(iter(rows.values()))
                assert row.high >= row.target, (body, row)
                return
            row = rows[change.rsplit(":", 1)[1]]
            if kind == "goal-met":
                assert row.high >= row.target, (body, row)
            else:  # behind, or a streak ended by a missed period: not met by the model's count
                assert row.low < row.target, (body, row)
        elif kind == "digest":
            week_start = date.fromisoformat(body["week_start"])
            weekly = {g.title: g for g in self.ref.goals.values() if g.frame == "week"}
            for line in body["goals"]:
                goal = weekly.get(line["title"])
                if goal is None or sum(1 for g in self.ref.goals.values() if g.title == line["title"]) > 1:
                    continue
                row = next((r for r in self.ref.expected(goal, today) if r.period.start == week_start), None)
                if row is None:
                    continue
                assert row.low <= line["done"] <= row.high, (line, row)
                if 7 not in OPEN_BREAKS:
                    assert line["status"] in ("met", "missed", "paused"), (
                        f"a closed week said {line['status']}"
                    )
            by_hand = [c for c in body["counted"] if c["source"] == "logged by you"]
            logged = [
                f
                for f in self.ref.live()
                if f.source == "manual" and week_start <= self.ref.day(f.at) < week_start + timedelta(days=7)
            ]
            assert len(by_hand) <= len(logged), (by_hand, logged)

    # --- the log as a whole ---------------------------------------------------------------------
    @rule()
    def export_then_import(self) -> None:
        lines = list(archive.export_lines(self.app, self.user))
        other, holder = self.world.fresh_app(f"import-{uuid4().hex[:8]}")
        try:
            archive.import_lines(other, lines)
            assert _progress(other, self.user) == _progress(self.app, self.user)
            # The same facts in the same order (recorded_at says when this store received them).
            assert _facts(archive.export_lines(other, self.user)) == _facts(lines)
        finally:
            other.close()
            holder.__exit__(None, None, None)

    @rule()
    def rebuild(self) -> None:
        before_views, before = snapshot(self.app.engine), _progress(self.app, self.user)
        archive.rebuild(self.app)
        assert _progress(self.app, self.user) == before
        assert snapshot(self.app.engine) == before_views

    def _explain(self) -> str:
        """The model's facts and the log's actions, side by side, for a failure message."""
        lines = ["model:"] + [
            f"  {f.source} {f.kind} {f.at.isoformat()} {sorted(f.contacts)} {'retracted' * f.retracted}"
            for f in sorted(self.ref.facts.values(), key=lambda f: f.at)
        ]
        lines.append("log:")
        for event in self.app.store.read_all(user_id=self.user):
            if event.type.startswith("action.") and event.type != "action.planned":
                data = event.data
                what = (
                    data.get("kind", ""),
                    data.get("at"),
                    data.get("source", ""),
                    data.get("action_id", "")[:8],
                )
                lines.append(f"  {event.type} " + " ".join(str(w) for w in what))
        return "\n".join(lines)

    # --- after every step --------------------------------------------------------------------------
    @invariant()
    def progress_is_what_the_readme_counts(self) -> None:
        self.steps += 1
        ServiceModel.total_steps += 1
        self._observe_confirmations()
        today = self.today()
        lines = {
            line.progress.goal.goal_id: line.progress
            for line in progress_service.progress(self.app, self.user)
        }
        assert set(lines) == set(self.ref.goals)
        for goal_id, goal in self.ref.goals.items():
            got = lines[goal_id]
            rows = self.ref.expected(goal, today)
            history = list(got.history)
            assert [h.period.start for h in history] == [r.period.start for r in rows], goal.title
            for seen, row in zip(history, rows, strict=True):
                where = f"{goal.title} ({goal.goal_id[:8]}) in the period from {row.period.start}"
                assert row.low <= seen.done <= row.high, (
                    f"{where}: done {seen.done}, the model says {row.low}..{row.high}\n{self._explain()}"
                )
                closed = row.period.end <= today
                if row.exact and closed:
                    want = "met" if row.low >= row.target else "missed"
                    assert seen.status == want, f"{where}: {seen.status}, the model says {want}"
            streak = self.ref.streak(rows, today)
            if streak is not None and goal.frame != "deadline":
                assert got.streak == streak, f"{goal.title}: streak {got.streak}, the model says {streak}"

    @invariant()
    def feeds_answer_and_parse_strictly(self) -> None:
        """After every change to the log: the feed, and one goal's feed in turn (every goal's at
        the end of the run; a render costs tens of milliseconds, and most breaks hit every feed)."""
        head = self.app.store.head_position()
        if head == self.feeds_seen_at:
            return
        self.feeds_seen_at = head
        goal_ids = list(self.ref.goals)
        self._check_feed(None)
        if goal_ids:
            self._check_feed(goal_ids[self.steps % len(goal_ids)])

    def _check_feed(self, goal_id: str | None) -> None:
        links = ical.feed_links(self.app, self.world.settings, self.user, goal_id)
        answer = self.world.client.get("/" + links.https.split("/", 3)[3])
        assert answer.status_code == 200, (goal_id, answer.status_code, answer.text[:300])
        parsed = Calendar.from_ical(answer.content)
        for component in parsed.walk():
            assert not component.errors, (goal_id, component.name, component.errors)

    @invariant()
    def every_event_has_a_label(self) -> None:
        before = None
        while True:
            page = history.entries(self.app, self.user, limit=200, before=before)
            for entry in page.entries:
                assert entry.label not in ("Change", ""), (
                    f"history shows a bare {entry.label!r} for {entry.type}"
                )
            if page.next_before is None:
                break
            before = page.next_before


def _progress(app: Any, user_id: str) -> list[tuple[Any, ...]]:
    return [
        (
            p.progress.goal.goal_id,
            p.progress.streak,
            tuple((h.period.start, h.done, h.status) for h in p.progress.history),
        )
        for p in progress_service.progress(app, user_id)
    ]


def _facts(lines: Any) -> list[tuple[Any, ...]]:
    found = []
    for line in lines:
        item = json.loads(line)
        found.append((item["event_id"], item["stream_id"], item["version"], item["type"], dump(item["data"])))
    return found


def dump(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True)
