"""Who to reach out to next, and why: one ranked list over the log (issue 28).

Each item says who (or no one), what kind of step, the reason in words, the goal or aspiration it
serves, the action "done" logs, and a score. Sources, strongest first:
- `brief`: a calendar meeting with people you know, from now to the end of tomorrow: read its brief
  (`domain.people.meetings`);
- `after-meeting`: the day after such a meeting: follow up, add the new people met, note promises;
- `keep-promise`: a promise recorded with an answer and not yet answered done or never;
- `prepare`: a planned block with people in the next 2 days;
- `follow-up-new`: someone first met 1-7 days ago, with no contact since that day;
- `goal-pace`: a mentor goal or a deadline goal behind pace (or about to fall behind);
- `offer-help`: a contact looks for something the person said they can offer;
- `keep-in-touch`: past the contact's keep-in-touch cadence (closer relationships first);
- `aspiration-gap`: an aspiration with nobody who can help, or nobody at the kind of place it needs.
Items the person answered rest (`domain.people.next_answers`); one item per person (their best; a brief
is about a meeting and takes no one's place); ties
break by item id, so a log and a moment always give the same list. Pure: `now` is an argument.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from domain.calendars.block_ledger import PlannedBlock
from domain.decisions.profile import Profile
from domain.people.closeness import Closeness, closeness
from domain.people.contacts import Contact
from domain.people.meetings import SOON, Meeting, coming_up, just_past, known_people, new_people, when_words
from domain.people.network import ContactStanding
from domain.people.network_gaps import aspiration_networks
from domain.people.next_answers import PROMISE_ITEM, Answer, Promise, fold_answers, open_promises
from domain.people.offers import matches
from domain.tracking.actions import ActionFact, Interactions
from domain.tracking.goals import Goal
from domain.tracking.periods import Frame, local_date
from domain.tracking.progress import BEHIND, MET, count_goals, evaluate

DEFAULT_LIMIT: Final = 7
FOLLOW_UP_DAYS: Final = 7
PREPARE_WITHIN: Final = timedelta(days=2)
MAX_BRIEFS: Final = 3
OFFER_RESTS: Final = timedelta(days=30)
PACE_SLACK_DAYS: Final = 3
GAP_KINDS: Final = ("no-contacts", "no-one-at-kind")

BRIEF, AFTER_MEETING, KEEP_PROMISE = "brief", "after-meeting", "keep-promise"
PREPARE, FOLLOW_UP_NEW, GOAL_PACE, OFFER_HELP, KEEP_IN_TOUCH, ASPIRATION_GAP = (
    "prepare",
    "follow-up-new",
    "goal-pace",
    "offer-help",
    "keep-in-touch",
    "aspiration-gap",
)


@dataclass(frozen=True, slots=True)
class NextItem:
    item_id: str
    kind: str
    reason: str
    score: float
    contact_id: str | None = None
    contact_name: str | None = None
    goal_id: str | None = None
    goal_title: str | None = None
    aspiration_id: str | None = None
    aspiration_text: str | None = None
    action: str | None = None  # the action kind "done" logs (None: done only records the answer)
    meeting_id: str | None = None  # brief and after-meeting: the meeting (its people, its brief)


@dataclass(slots=True)
class _Context:
    profile: Profile
    now: datetime
    today: date
    contacts: dict[str, Contact]
    touches: dict[str, list[tuple[datetime, str]]]  # contact -> (when, action kind), oldest first
    goals: list[Goal]
    closeness: dict[str, Closeness]

    def close(self, contact_id: str) -> Closeness:
        found = self.closeness.get(contact_id)
        if found is None:
            moments = [at for at, _ in self.touches.get(contact_id, ())]
            found = self.closeness[contact_id] = closeness(self.contacts[contact_id], moments, self.now)
        return found


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _ago(n: int) -> str:
    return "today" if n == 0 else "yesterday" if n == 1 else f"{n} days ago"


def _live_goals(profile: Profile, now: datetime, today: date) -> list[Goal]:
    return sorted(
        (
            g
            for g in profile.goals.values()
            if g.set_at <= now and (g.archived_at is None or g.archived_at > now) and not g.paused_at(now)
        ),
        key=lambda g: g.goal_id,
    )


def _serves(ctx: _Context, action: str | None, contact: Contact | None) -> tuple[Goal | None, str | None]:
    """The goal this step would count for (one naming the person first), and its aspiration."""
    goal = None
    if action is not None:
        who = (contact.contact_id,) if contact else ()
        fitting = [g for g in ctx.goals if g.counts(action, who) or (not who and g.action == action)]
        fitting.sort(key=lambda g: (not (contact and contact.contact_id in g.contact_ids), g.goal_id))
        goal = fitting[0] if fitting else None
    aspiration = goal.aspiration_id if goal and goal.aspiration_id else None
    if aspiration is None and contact is not None:
        aspiration = next((a for a in sorted(contact.helps_with) if a in ctx.profile.aspirations), None)
    return goal, aspiration


def _item(
    ctx: _Context,
    item_id: str,
    kind: str,
    reason: str,
    score: float,
    contact: Contact | None,
    action: str | None,
    goal: Goal | None = None,
    aspiration_id: str | None = None,
    meeting_id: str | None = None,
) -> NextItem:
    if goal is None and aspiration_id is None:
        goal, aspiration_id = _serves(ctx, action, contact)
    elif goal is not None and aspiration_id is None:
        aspiration_id = goal.aspiration_id
    aspiration = ctx.profile.aspirations.get(aspiration_id) if aspiration_id else None
    return NextItem(
        item_id=item_id,
        kind=kind,
        reason=reason,
        score=round(score, 2),
        contact_id=contact.contact_id if contact else None,
        contact_name=contact.name if contact else None,
        goal_id=goal.goal_id if goal else None,
        goal_title=goal.title if goal else None,
        aspiration_id=aspiration.aspiration_id if aspiration else None,
        aspiration_text=aspiration.text if aspiration else None,
        action=action,
        meeting_id=meeting_id,
    )


def _names(people: Sequence[Contact]) -> str:
    names = [c.name for c in people]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _briefs(ctx: _Context, meetings: Sequence[Meeting]) -> Iterable[NextItem]:
    # The soonest few: a full calendar must not push everything else off the list (all of them are
    # in `netgoals next --brief`, the API's briefs and the daily message).
    for meeting in coming_up(meetings, ctx.profile, ctx.now)[:MAX_BRIEFS]:
        people = known_people(meeting, ctx.profile, ctx.now)
        start = meeting.start.astimezone(ctx.profile.tz)
        title = meeting.title or "A meeting"
        reason = (
            f"“{title}” with {_names(people)} is {when_words(start, ctx.today)}: "
            f"read the brief (`netgoals next brief {meeting.meeting_id}`)."
        )
        hours = (meeting.start - ctx.now).total_seconds() / 3600
        score = 90.0 if meeting.start - ctx.now <= SOON else 87 - min(hours, 48) / 8
        item_id = f"brief:{meeting.meeting_id}"
        yield _item(ctx, item_id, BRIEF, reason, score, people[0], None, meeting_id=meeting.meeting_id)


def _after_meeting(ctx: _Context, meetings: Sequence[Meeting]) -> Iterable[NextItem]:
    for meeting in just_past(meetings, ctx.profile, ctx.now):
        people = known_people(meeting, ctx.profile, ctx.now)
        strangers = new_people(meeting, ctx.profile)
        start = meeting.start.astimezone(ctx.profile.tz)
        steps = [f"follow up with {_names(people)}"]
        if strangers:
            count = len(strangers)
            steps.append(f"add the {count} new {'person' if count == 1 else 'people'} you met")
        steps.append("note what you promised")
        title = meeting.title or "A meeting"
        reason = f"“{title}” was {when_words(start, ctx.today)}: " + ", ".join(steps) + "."
        days = (ctx.today - start.date()).days
        item_id = f"after:{meeting.meeting_id}"
        score = 84.0 - days
        yield _item(
            ctx, item_id, AFTER_MEETING, reason, score, people[0], "follow-up", meeting_id=meeting.meeting_id
        )


def _keep_promises(ctx: _Context, promises: Sequence[Promise]) -> Iterable[NextItem]:
    for promise in promises:
        contact = ctx.contacts.get(promise.contact_id or "")
        days = (ctx.today - local_date(promise.made_at, ctx.profile.tz)).days
        to = f" {contact.name}" if contact else ""
        reason = f"You promised{to} “{promise.text}” {_ago(days)}: keep it, then mark it done."
        score = 70 + min(days, 10) / 2
        action = "follow-up" if contact else None
        yield _item(ctx, f"{PROMISE_ITEM}{promise.promise_id}", KEEP_PROMISE, reason, score, contact, action)


def _prepare(ctx: _Context, blocks: Iterable[PlannedBlock]) -> Iterable[NextItem]:
    tz = ctx.profile.tz
    for block in blocks:
        if block.outcome is not None or not ctx.now < block.start <= ctx.now + PREPARE_WITHIN:
            continue
        people = [ctx.contacts[c] for c in sorted(block.contact_ids) if c in ctx.contacts]
        if not people:
            continue
        who = people[0]
        start = block.start.astimezone(tz)
        day = (start.date() - ctx.today).days
        when = "today" if day == 0 else "tomorrow" if day == 1 else f"on {start:%A}"
        title = block.title or block.kind
        standing = ctx.close(who.contact_id).explanation
        reason = f"“{title}” with {who.name} is {when} at {start:%H:%M}: prepare. {standing}"
        hours = (block.start - ctx.now).total_seconds() / 3600
        goal = next((g for g in ctx.goals if g.goal_id == block.goal_id), None)
        yield _item(ctx, f"prepare:{block.action_id}", PREPARE, reason, 85 - hours / 4, who, None, goal)


def _follow_up_new(ctx: _Context) -> Iterable[NextItem]:
    """Someone first met 1-7 days ago, with no contact on any later day. Meeting is an interaction
    in the log; someone known before it (added or connected earlier) is not new."""
    tz = ctx.profile.tz
    for contact in ctx.contacts.values():
        seen = ctx.touches.get(contact.contact_id, [])
        if not seen:
            continue
        moments = [contact.added_at, *(m for m in (contact.known_since_moment,) if m is not None)]
        first_day = local_date(min([*moments, *(at for at, _ in seen[:1])]), tz)
        days = (ctx.today - first_day).days
        if not 1 <= days <= FOLLOW_UP_DAYS or any(local_date(at, tz) > first_day for at, _ in seen):
            continue
        left = FOLLOW_UP_DAYS - days
        window = "the week after meeting ends today" if left == 0 else f"{_days(left)} left in the week after"
        reason = (
            f"You first met {contact.name} {_ago(days)} and have not been in touch since: "
            f"follow up while it is fresh ({window})."
        )
        item_id = f"follow-up:{contact.contact_id}"
        yield _item(ctx, item_id, FOLLOW_UP_NEW, reason, 80 + days, contact, "follow-up")


def _goal_pace(ctx: _Context, actions: Sequence[ActionFact]) -> Iterable[NextItem]:
    profile = ctx.profile
    paced = [
        g
        for g in ctx.goals
        if (g.action == "meet-mentor" or g.frame is Frame.DEADLINE) and g.start <= ctx.today
    ]
    if not paced:
        return
    firsts = {c: seen[0][0] for c, seen in ctx.touches.items()}
    counts = count_goals(paced, actions, firsts, profile.tz, profile.week_start, until=ctx.now)
    for goal in paced:
        progress = evaluate(goal, counts[goal.goal_id], ctx.now, profile.tz, profile.week_start)
        current = progress.current
        if progress.lifecycle != "active" or current.status == MET or current.period.end <= ctx.today:
            continue
        slack = progress.slack_days
        if current.status == BEHIND:
            expected = f", {progress.expected_by_now} expected by now" if progress.expected_by_now else ""
            pace = f"is behind pace: {current.done} of {current.target} done{expected}"
            urgency = 10.0
        elif slack is not None and slack <= PACE_SLACK_DAYS:
            pace = f"falls behind pace in {_days(max(slack, 0))}: {current.done} of {current.target} done"
            urgency = 5.0 - max(slack, 0)
        else:
            continue
        named = [ctx.contacts[c] for c in goal.contact_ids if c in ctx.contacts]
        named.sort(key=lambda c: (_last(ctx, c.contact_id), c.contact_id))
        who = named[0] if named else None
        step = f"a meeting with {who.name} would move it" if who else "a meeting would move it"
        reason = f"“{goal.title}” {pace}; {step}."
        yield _item(ctx, f"goal:{goal.goal_id}", GOAL_PACE, reason, 75 + urgency, who, goal.action, goal)


def _last(ctx: _Context, contact_id: str) -> datetime:
    seen = ctx.touches.get(contact_id)
    return seen[-1][0] if seen else ctx.contacts[contact_id].added_at


def _offer_help(ctx: _Context) -> Iterable[NextItem]:
    offers = ctx.profile.offers
    if not offers:
        return
    for contact in ctx.contacts.values():
        if not contact.needs:
            continue
        helped = [at for at, kind in ctx.touches.get(contact.contact_id, ()) if kind == "offer-help"]
        if helped and ctx.now - helped[-1] < OFFER_RESTS:
            continue
        found = matches(contact.needs, offers)
        if not found:
            continue
        need, offer, shared = found[0]
        reason = f"{contact.name} is looking for “{need}”; you can offer “{offer}”."
        score = 60 + 5 * min(3, len(shared))
        yield _item(ctx, f"offer:{contact.contact_id}", OFFER_HELP, reason, score, contact, "offer-help")


def _keep_in_touch(ctx: _Context) -> Iterable[NextItem]:
    for contact in ctx.contacts.values():
        cadence = contact.cadence_days
        if cadence is None:
            continue
        silence = (ctx.now - _last(ctx, contact.contact_id)).days
        overdue = silence - cadence
        if overdue <= 0:
            continue
        close = ctx.close(contact.contact_id)
        since = f"last in touch {_ago(silence)}" if contact.contact_id in ctx.touches else "no contact yet"
        reason = (
            f"You keep in touch with {contact.name} every {_days(cadence)}; {since}, "
            f"{_days(overdue)} overdue. {close.explanation}"
        )
        score = 50 + 20 * close.score + min(15.0, 15 * overdue / cadence)
        yield _item(
            ctx, f"keep-in-touch:{contact.contact_id}", KEEP_IN_TOUCH, reason, score, contact, "follow-up"
        )


def _aspiration_gaps(ctx: _Context) -> Iterable[NextItem]:
    profile = ctx.profile
    aspirations = [a for a in profile.aspirations.values() if a.added_at <= ctx.now]
    if not aspirations:
        return
    helpers = [
        ContactStanding(c, Interactions(), None)
        for c in ctx.contacts.values()
        if any(a.aspiration_id in c.helps_with for a in aspirations)
    ]
    goals = {g.goal_id: g for g in ctx.goals}
    for view in aspiration_networks(aspirations, helpers, goals, ctx.today):
        for gap in view.gaps:
            if gap.kind not in GAP_KINDS:
                continue
            aspiration = view.aspiration
            reason = f"For “{aspiration.text}”: {gap.message} {gap.proposal.title}."
            score = 42.0 if gap.kind == "no-contacts" else 40.0
            goal = goals.get(gap.goal_id) if gap.goal_id else None
            yield _item(
                ctx,
                f"gap:{aspiration.aspiration_id}:{gap.kind}",
                ASPIRATION_GAP,
                reason,
                score,
                None,
                gap.proposal.action,
                goal,
                aspiration.aspiration_id,
            )


def next_list(
    profile: Profile,
    actions: Sequence[ActionFact],
    blocks: Iterable[PlannedBlock],
    answers: Iterable[Answer],
    now: datetime,
    limit: int = DEFAULT_LIMIT,
    meetings: Sequence[Meeting] = (),
) -> list[NextItem]:
    """The ranked next list at `now`: facts after `now` are not known yet."""
    tz = profile.tz
    today = local_date(now, tz)
    contacts = {c.contact_id: c for c in profile.contacts.values() if c.added_at <= now}
    touches: dict[str, list[tuple[datetime, str]]] = {}
    known = [a for a in actions if not a.retracted and a.at <= now]
    for action in known:
        for contact_id in action.contact_ids:
            if contact_id in contacts:
                touches.setdefault(contact_id, []).append((action.at, action.kind))
    for seen in touches.values():
        seen.sort()
    ctx = _Context(profile, now, today, contacts, touches, _live_goals(profile, now, today), {})
    answers = list(answers)
    told = fold_answers(answers, now)
    candidates = [
        *_briefs(ctx, meetings),
        *_after_meeting(ctx, meetings),
        *_keep_promises(ctx, open_promises(answers, now)),
        *_prepare(ctx, blocks),
        *_follow_up_new(ctx),
        *_goal_pace(ctx, known),
        *_offer_help(ctx),
        *_keep_in_touch(ctx),
        *_aspiration_gaps(ctx),
    ]
    candidates.sort(key=lambda item: (-item.score, item.item_id))
    chosen: list[NextItem] = []
    people: set[str] = set()
    for item in candidates:
        if told.hides(item.item_id, item.contact_id, now, today):
            continue
        if item.contact_id is not None and item.kind != BRIEF:  # a brief readies a meeting: no one's slot
            if item.contact_id in people:
                continue  # one item per person: their most pressing one
            people.add(item.contact_id)
        chosen.append(item)
        if len(chosen) >= limit:
            break
    return chosen


def closeness_of(profile: Profile, actions: Sequence[ActionFact], now: datetime) -> dict[str, Closeness]:
    """Every contact's closeness at `now` (for listing the network with its sentence)."""
    touches: dict[str, list[datetime]] = {}
    for action in actions:
        if not action.retracted and action.at <= now:
            for contact_id in action.contact_ids:
                touches.setdefault(contact_id, []).append(action.at)
    return {
        c.contact_id: closeness(c, touches.get(c.contact_id, ()), now)
        for c in sorted(profile.contacts.values(), key=lambda c: c.contact_id)
        if c.added_at <= now
    }
