"""Where the network must grow or deepen, per career aspiration: who can help with it, how strong
those ties are, which organisations and roles they cover, and the gaps worth acting on — each with
a goal that would close it.

The gaps:
- `no-contacts`: nobody is known to help with it yet;
- `no-strong-tie`: people help, but none at strength 4 or 5;
- `no-mentor`: nobody who helps is tagged "mentor";
- `no-one-at-kind`: the aspiration names a kind of organisation ("at a climate startup") and nobody
  who helps is at one (their organisation, position or tags carry every word of it);
- `gone-quiet`: strong ties (4-5) past their keep-in-touch cadence.

The goal `no-one-at-kind` proposes counts only new contacts at that kind of organisation, by the
same rule that finds the gap (`domain.people.contact_matching.at_kind`): a contact met who is not at one
counts nothing for it until their organisation, role or tags say they are (which recounts). A gap
is closed by any live goal that already does what its proposal would, and a proposal is made for
the first aspiration that needs it only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from domain.decisions.profile import Aspiration
from domain.people.contact_matching import at_kind
from domain.people.network import ContactStanding
from domain.tracking.goals import Goal
from domain.tracking.periods import add_months

STRONG: Final = 4
MENTOR_TAG: Final = "mentor"
# "a product role at a climate startup" -> "climate startup": the phrase after at/with/for/join a(n).
_KIND = re.compile(
    r"\b(?:at|for|join|joining)\s+(?:a|an)\s+([a-z0-9][a-z0-9\- ]*?)"
    r"(?=\s+(?:at|as|by|in|within|before|that|where|who|to|and|or|so|with|for)\b|[.,;:!?()]|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class GoalProposal:
    """A goal that would close a gap: the parts `set_goal` needs."""

    title: str
    action: str
    target: int
    frame: str  # week, month, quarter or deadline
    deadline: date | None = None
    new_contacts_only: bool = False
    contact_ids: tuple[str, ...] = ()
    contact_kind: str | None = None  # counts only contacts at this kind of organisation


@dataclass(frozen=True, slots=True)
class Gap:
    kind: str
    message: str
    proposal: GoalProposal
    goal_id: str | None = None  # the live goal that already does what the proposal would, if any
    goal_title: str | None = None  # ... and its title
    # No such goal yet, but the same one is proposed for an earlier aspiration (its id): set once,
    # it closes this gap too, so it is proposed there only.
    shared_with: str | None = None


@dataclass(frozen=True, slots=True)
class AspirationNetwork:
    aspiration: Aspiration
    helpers: tuple[ContactStanding, ...]  # strongest first
    by_strength: dict[str, int]  # "1".."5" and "unrated"
    organisations: tuple[tuple[str, int], ...]  # most people first
    roles: tuple[tuple[str, int], ...]
    organisation_kind: str | None
    gaps: tuple[Gap, ...]


def organisation_kind(text: str) -> str | None:
    """The kind of organisation an aspiration names, if it names one."""
    # the last one: "join a team at a climate startup" means the startup
    found = next(reversed(list(_KIND.finditer(text))), None)
    return " ".join(found.group(1).lower().split()) if found else None


def covers(standing: ContactStanding, kind: str) -> bool:
    """Whether this contact is at that kind of organisation (domain.people.contact_matching.at_kind)."""
    return at_kind(standing.contact, kind)


def _tally(values: Iterable[str | None]) -> tuple[tuple[str, int], ...]:
    counts = Counter(v.strip() for v in values if v and v.strip())
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0].lower())))


def _names(standings: list[ContactStanding]) -> str:
    names = [s.contact.name for s in standings]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _gaps(aspiration: Aspiration, helpers: list[ContactStanding], kind: str | None, today: date) -> list[Gap]:
    gaps: list[Gap] = []
    what = aspiration.text
    if not helpers:
        gaps.append(
            Gap(
                "no-contacts",
                f"Nobody you know is marked as able to help with “{what}”.",
                GoalProposal("Reach out to one new contact per week", "reach-out", 1, "week", None, True),
            )
        )
    elif not any((s.contact.strength or 0) >= STRONG for s in helpers):
        gaps.append(
            Gap(
                "no-strong-tie",
                f"{len(helpers)} can help, but none is a strong tie (4 or 5).",
                GoalProposal(
                    "Follow up with one person who can help every two weeks", "follow-up", 2, "month"
                ),
            )
        )
    if not any(MENTOR_TAG in s.contact.tags for s in helpers):
        gaps.append(
            Gap(
                "no-mentor",
                "No mentor among them (tag someone “mentor” when you assess them).",
                GoalProposal(
                    "Meet a mentor within six months", "meet-mentor", 1, "deadline", add_months(today, 6)
                ),
            )
        )
    if kind is not None and not any(covers(s, kind) for s in helpers):
        article = "an" if kind[:1] in "aeiou" else "a"
        gaps.append(
            Gap(
                "no-one-at-kind",
                f"Nobody who can help is at {article} {kind}.",
                GoalProposal(
                    f"Reach out to one new contact at {article} {kind} per week",
                    "reach-out",
                    1,
                    "week",
                    None,
                    True,
                    contact_kind=kind,
                ),
            )
        )
    quiet = sorted(
        (s for s in helpers if (s.contact.strength or 0) >= STRONG and s.overdue_days),
        key=lambda s: (-(s.overdue_days or 0), s.contact.name.lower()),
    )
    if quiet:
        gaps.append(
            Gap(
                "gone-quiet",
                f"Strong ties gone quiet past their cadence: {_names(quiet)}.",
                GoalProposal(
                    f"Catch up with {_names(quiet)} this month",
                    "follow-up",
                    len(quiet),
                    "month",
                    contact_ids=tuple(s.contact.contact_id for s in quiet),
                ),
            )
        )
    return gaps


def _does(goal: Goal, gap: Gap) -> bool:
    """Whether a live goal already does what the gap's proposal would: counts the same action, the
    same way (new contacts, the same people, at the same kind of organisation)."""
    p = gap.proposal
    if goal.title == p.title:
        return True
    if goal.action != p.action or goal.contact_kind != p.contact_kind:
        return False
    if p.contact_ids:
        return set(p.contact_ids) <= set(goal.contact_ids)
    if p.action == "meet-mentor":
        return True  # a mentor goal, named or not, is what "meet a mentor" proposes
    return goal.new_contacts_only == p.new_contacts_only and not goal.contact_ids


def _with_goals(
    gaps: list[Gap], aspiration_id: str, goals: Iterable[Goal], proposed: dict[tuple[object, ...], str]
) -> tuple[Gap, ...]:
    """Each gap says what already closes it: a live goal that does what it proposes (its own
    aspiration's first, then any), or the same proposal made for an earlier aspiration."""
    live = sorted(
        (g for g in goals if g.archived_at is None),
        key=lambda g: (g.aspiration_id != aspiration_id, g.set_at, g.goal_id),
    )
    found = []
    for gap in gaps:
        goal = next((g for g in live if _does(g, gap)), None)
        key = _same_goal(gap.proposal)
        shared = None if goal is not None else proposed.setdefault(key, aspiration_id)
        found.append(
            replace(
                gap,
                goal_id=goal.goal_id if goal else None,
                goal_title=goal.title if goal else None,
                shared_with=shared if shared != aspiration_id else None,
            )
        )
    return tuple(found)


def _same_goal(p: GoalProposal) -> tuple[object, ...]:
    """What makes two proposals the same goal (not its deadline, which moves with the day)."""
    return (p.title, p.action, p.target, p.frame, p.new_contacts_only, p.contact_ids, p.contact_kind)


def aspiration_networks(
    aspirations: Iterable[Aspiration],
    standings: Iterable[ContactStanding],
    goals: Mapping[str, Goal],
    today: date,
) -> list[AspirationNetwork]:
    """One view per aspiration, in the order they were added."""
    everyone = list(standings)
    found = []
    proposed: dict[tuple[object, ...], str] = {}  # a proposal -> the first aspiration it was made for
    for aspiration in sorted(aspirations, key=lambda a: (a.added_at, a.aspiration_id)):
        helpers = [s for s in everyone if aspiration.aspiration_id in s.contact.helps_with]
        helpers.sort(key=lambda s: (-(s.contact.strength or 0), s.contact.name.lower()))
        by_strength = {str(n): 0 for n in range(1, 6)} | {"unrated": 0}
        for s in helpers:
            by_strength[str(s.contact.strength) if s.contact.strength else "unrated"] += 1
        kind = organisation_kind(aspiration.text)
        found.append(
            AspirationNetwork(
                aspiration=aspiration,
                helpers=tuple(helpers),
                by_strength=by_strength,
                organisations=_tally(s.contact.organisation for s in helpers),
                roles=_tally(s.contact.role for s in helpers),
                organisation_kind=kind,
                gaps=_with_goals(
                    _gaps(aspiration, helpers, kind, today),
                    aspiration.aspiration_id,
                    goals.values(),
                    proposed,
                ),
            )
        )
    return found
