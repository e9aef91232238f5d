"""Closeness over the log and the next list's ranking: the invariants of issue 28, over many logs."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.people.closeness import FLOOR_MAX, closeness
from domain.people.contacts import Contact
from tests.next_script import Script, at

START = datetime(2024, 1, 1, tzinfo=UTC)
days = st.floats(min_value=0, max_value=900, allow_nan=False)


@st.composite
def contacts(draw: st.DrawFn) -> Contact:
    ratings = draw(st.lists(st.tuples(days, st.integers(1, 5)), max_size=3))
    return Contact(
        "c1",
        "Someone",
        START + timedelta(days=draw(days)),
        strengths=tuple(sorted((START + timedelta(days=d), s) for d, s in ratings)),
        cadence_days=draw(st.none() | st.integers(1, 365)),
    )


touch_lists = st.lists(days, max_size=30).map(lambda ds: [START + timedelta(days=d) for d in ds])


@settings(max_examples=300)
@given(contacts(), touch_lists, days)
def test_closeness_is_bounded(contact: Contact, touches: list[datetime], now_days: float) -> None:
    found = closeness(contact, touches, START + timedelta(days=now_days))
    assert 0.0 <= found.score <= 1.0
    assert found.explanation.startswith(found.level + ":")


@settings(max_examples=300)
@given(contacts(), touch_lists, st.floats(0, 1), st.floats(0, 400))
def test_an_interaction_never_lowers_it(
    contact: Contact, touches: list[datetime], where: float, after: float
) -> None:
    last = max([*touches, *(a for a, _ in contact.strengths), contact.added_at])
    now = last + timedelta(days=after)
    new = last + (now - last) * where
    before = closeness(contact, touches, now).score
    assert closeness(contact, [*touches, new], now).score >= before - 1e-12


@settings(max_examples=300)
@given(contacts(), touch_lists, st.floats(0, 400), st.floats(0, 400))
def test_decay_is_monotone_in_silence(contact: Contact, touches: list[datetime], a: float, b: float) -> None:
    last = max([*touches, *(at for at, _ in contact.strengths), contact.added_at])
    sooner, later = sorted((a, b))
    early = closeness(contact, touches, last + timedelta(days=sooner)).score
    late = closeness(contact, touches, last + timedelta(days=later)).score
    assert late <= early + 1e-12


@settings(max_examples=200)
@given(
    st.lists(st.floats(0, 30), min_size=7, max_size=40),
    st.integers(366, 1500),
    st.floats(0, 3000),
    st.none() | st.integers(1, 60),
)
def test_the_floor_holds_for_long_relationships(
    gaps: list[float], span: int, silence: float, cadence: int | None
) -> None:
    """Eight interactions or more over a year or more: never below the floor, however quiet."""
    touches = [
        START,
        *(START + timedelta(days=sum(gaps[: i + 1])) for i in range(len(gaps))),
        START + timedelta(days=span),
    ]
    contact = Contact("c1", "Old friend", START, cadence_days=cadence)
    found = closeness(contact, touches, touches[-1] + timedelta(days=silence))
    assert found.score >= FLOOR_MAX - 1e-12
    if silence > 2000:
        assert "long relationship" in found.explanation


def test_the_people_you_see_most_are_not_punished() -> None:
    """Weekly for a year, then one quiet month: still close, and said so in words."""
    touches = [START + timedelta(weeks=w) for w in range(52)]
    found = closeness(Contact("c1", "Friend", START), touches, touches[-1] + timedelta(days=30))
    assert found.level in ("Close", "Warm")
    assert found.explanation.startswith(found.level + ": you were in touch 52 times since January 2024")
    assert "past your usual 1 week" in found.explanation or "past your usual 7 days" in found.explanation


def _busy_script(seed: int) -> Script:
    rng = random.Random(seed)
    s = Script()
    s.offers("2026-01-01", "pricing advice", "intro to investors")
    s.aspiration("a1", "a design role at a fintech startup", "new-job", "2026-01-01")
    for n in range(30):
        s.contact(
            f"c{n:02d}", f"Person {n:02d}", "2026-01-02", cadence_days=rng.choice([None, 7, 14]),
            needs=rng.choice([[], ["an intro to investors"], ["a hire"]]), helps_with=["a1"] if n % 3 else [],
        )  # fmt: skip
    for _ in range(80):
        day = f"2026-{rng.choice(['01', '02'])}-{rng.randint(3, 28):02d}"
        s.did(rng.choice(["follow-up", "reach-out", "offer-help"]), day, f"c{rng.randrange(30):02d}")
    return s


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_the_ranking_is_deterministic(seed: int, shuffle: int) -> None:
    """The same log and moment give the same list, whatever order the facts come in; equal scores
    break by item id."""
    s = _busy_script(seed)
    now = at("2026-03-01")
    first = s.next(now, 50)
    mixed = list(s.actions)
    random.Random(shuffle).shuffle(mixed)
    contacts = list(s.profile.contacts.items())
    random.Random(shuffle).shuffle(contacts)
    s.profile.contacts = dict(contacts)
    s.actions = mixed
    assert s.next(now, 50) == first
    keys = [(-i.score, i.item_id) for i in first]
    assert keys == sorted(keys)
    assert len({i.contact_id for i in first if i.contact_id}) == len([i for i in first if i.contact_id])
    assert s.next(now) == first[:7]


def test_a_reassessment_is_an_anchor() -> None:
    """Rated down to 1 after years of meetings: the rating, not the old count, sets the level."""
    touches = [START + timedelta(days=30 * m) for m in range(10)]
    contact = Contact("c1", "Former colleague", START)
    before = closeness(contact, touches, touches[-1] + timedelta(days=1))
    rated = replace(contact, strengths=((touches[-1] + timedelta(hours=1), 1),))
    after = closeness(rated, touches, touches[-1] + timedelta(days=1))
    assert after.score < before.score
    assert "rated 1 of 5" in after.explanation
