"""Three people, each with a small scripted log, and the "next" list they should read on several
days — written out by hand, reasons included (issue 28)."""

from __future__ import annotations

from datetime import date

from domain.people.meetings import brief
from tests.next_script import Script, at, shown

MONTHLY = [
    f"{year}-{month:02d}-01" for year, month in [(2025, m) for m in range(2, 13)] + [(2026, 1), (2026, 2)]
]


def _job_seeker() -> Script:
    s = Script()
    s.aspiration("a1", "a product role at a climate startup", "new-job", "2026-03-01")
    s.goal(
        "g1", "Reach out to one new contact per week", "reach-out", 1, "week", "2026-03-02",
        new_contacts_only=True, aspiration_id="a1",
    )  # fmt: skip
    s.contact("c-ana", "Ana Lima", "2026-03-02", organisation="Solar Co", cadence_days=14, helps_with=["a1"])
    s.did("reach-out", "2026-03-02", "c-ana")
    s.contact("c-ben", "Ben Okafor", "2026-03-09")
    s.did("attend-event", "2026-03-09", "c-ben")
    s.contact("c-cara", "Cara Singh", "2026-03-01", tags=["recruiter"], cadence_days=30, strength=4)
    return s


GAP = (
    "gap:a1:no-one-at-kind",
    "For “a product role at a climate startup”: Nobody who can help is at a climate startup. "
    "Reach out to one new contact at a climate startup per week.",
)


def test_job_seeker() -> None:
    s = _job_seeker()
    assert shown(s.next(at("2026-03-10"))) == [
        (
            "follow-up:c-ben",
            "You first met Ben Okafor yesterday and have not been in touch since: "
            "follow up while it is fresh (6 days left in the week after).",
        ),
        GAP,
    ]
    # Ben's week has passed; Ana's two-week rhythm has not been kept.
    twentieth = s.next(at("2026-03-20"))
    assert shown(twentieth) == [
        (
            "keep-in-touch:c-ana",
            "You keep in touch with Ana Lima every 14 days; last in touch 18 days ago, 4 days overdue. "
            "Cooling: you were in touch once since March 2026; last 18 days ago, "
            "past your cadence of 2 weeks.",
        ),
        GAP,
    ]
    assert (twentieth[0].action, twentieth[0].aspiration_id, twentieth[1].action) == (
        "follow-up",
        "a1",
        "reach-out",
    )
    # Done (the follow-up is logged) and the gap snoozed to the 25th.
    s.did("follow-up", "2026-03-20", "c-ana", clock="12:00")
    s.answer("keep-in-touch:c-ana", "done", at("2026-03-20"), "c-ana")
    s.answer(GAP[0], "snoozed", at("2026-03-20"), until=date(2026, 3, 25))
    assert shown(s.next(at("2026-03-21"))) == []
    assert shown(s.next(at("2026-03-25", "00:01"))) == [GAP]


def _freelancer() -> Script:
    s = Script()
    s.offers("2026-03-01", "website audits", "pricing advice")
    s.aspiration("a1", "Grow to five steady clients", "clients", "2026-03-01")
    s.goal("g1", "Offer help twice a month", "offer-help", 2, "month", "2026-03-01", aspiration_id="a1")
    s.contact("c-dan", "Dan Ruiz", "2026-03-02", needs=["advice on pricing"])
    s.contact("c-eve", "Eve Marsh", "2026-03-02", needs=["a hire for a designer"])
    s.contact("c-fay", "Fay Chen", "2025-02-01", strength=5, cadence_days=21, helps_with=["a1"])
    for day in MONTHLY:
        s.did("follow-up", day, "c-fay")
    s.contact("c-gus", "Gus Berg", "2026-03-02", helps_with=["a1"])
    s.block("b1", at("2026-03-11", "10:00"), at("2026-03-11", "11:00"), "Coffee with Gus", "c-gus")
    return s


FAY = (
    "You keep in touch with Fay Chen every 21 days; last in touch {days} days ago, {late} days overdue. "
    "Close: you were in touch 13 times since February 2025; last {days} days ago, past your cadence of "
    "3 weeks; rated 5 of 5 on 2025-02-01."
)


def test_freelancer() -> None:
    s = _freelancer()
    tenth = s.next(at("2026-03-10", "09:00"))
    assert shown(tenth) == [
        (
            "prepare:b1",
            "“Coffee with Gus” with Gus Berg is tomorrow at 10:00: prepare. "
            "Cooling: no interaction logged yet.",
        ),
        ("keep-in-touch:c-fay", FAY.format(days=36, late=15)),
        ("offer:c-dan", "Dan Ruiz is looking for “advice on pricing”; you can offer “pricing advice”."),
    ]
    assert [(i.goal_id, i.aspiration_id, i.action) for i in tenth] == [
        (None, "a1", None),
        (None, "a1", "follow-up"),
        ("g1", "a1", "offer-help"),
    ]
    # Help offered (it counts for g1); the block has passed.
    s.did("offer-help", "2026-03-10", "c-dan", clock="09:00")
    s.answer("offer:c-dan", "done", at("2026-03-10", "09:00"), "c-dan")
    assert shown(s.next(at("2026-03-12"))) == [("keep-in-touch:c-fay", FAY.format(days=39, late=18))]
    s.answer("keep-in-touch:c-fay", "snoozed", at("2026-03-12"), "c-fay", until=date(2026, 3, 15))
    assert shown(s.next(at("2026-03-14"))) == []
    assert shown(s.next(at("2026-03-15"))) == [("keep-in-touch:c-fay", FAY.format(days=42, late=21))]


def _mentee() -> Script:
    s = Script()
    s.aspiration("a1", "Find a mentor in data science", "mentorship", "2026-03-01")
    s.contact("c-hal", "Hal Ito", "2026-03-01", tags=["mentor"], helps_with=["a1"])
    s.goal(
        "g1", "Build a relationship with a mentor", "meet-mentor", 6, "deadline", "2026-03-02",
        deadline="2026-08-31", contact_ids=["c-hal"], aspiration_id="a1", template="mentor",
    )  # fmt: skip
    s.contact("c-ivy", "Ivy Park", "2026-03-05")
    s.did("attend-event", "2026-03-05", "c-ivy")
    return s


MENTOR_BEHIND = (
    "goal:g1",
    "“Build a relationship with a mentor” is behind pace: 0 of 6 done, 1 expected by now; "
    "a meeting with Hal Ito would move it.",
)


def test_looking_for_a_mentor() -> None:
    s = _mentee()
    assert shown(s.next(at("2026-03-06"))) == [
        (
            "follow-up:c-ivy",
            "You first met Ivy Park yesterday and have not been in touch since: "
            "follow up while it is fresh (6 days left in the week after).",
        )
    ]
    twentieth = s.next(at("2026-03-20"))
    assert shown(twentieth) == [MENTOR_BEHIND]
    assert (twentieth[0].contact_id, twentieth[0].action, twentieth[0].goal_id) == (
        "c-hal",
        "meet-mentor",
        "g1",
    )
    # Never for Ivy; the mentor meeting done puts the goal back on pace.
    s.answer("follow-up:c-ivy", "never", at("2026-03-06"), "c-ivy")
    assert shown(s.next(at("2026-03-07"))) == []
    s.did("meet-mentor", "2026-03-20", "c-hal", clock="12:00")
    s.answer("goal:g1", "done", at("2026-03-20"), "c-hal")
    assert shown(s.next(at("2026-03-22"))) == []


WORKSHOP = (
    "“Pricing workshop” was {when} at 14:00: follow up with Dan Ruiz, add the 1 new person you met, "
    "note what you promised."
)
OFFER_DAN = ("offer:c-dan", "Dan Ruiz is looking for “advice on pricing”; you can offer “pricing advice”.")


def test_freelancer_before_and_after_a_meeting() -> None:
    s = _freelancer()
    s.meeting("m1", at("2026-03-12", "14:00"), "Pricing workshop", "c-dan", strangers=("zoe@studio.io",))
    s.meeting("m2", at("2026-03-11", "16:00"), "Call", "c-fay", going=False)  # declined: no brief
    s.meeting("m3", at("2026-03-11", "17:00"), "Dentist", strangers=("desk@teeth.org",))  # no one known
    # Two days before: nothing yet (a brief starts the day before).
    assert [i.item_id for i in s.next(at("2026-03-10", "09:00"))] == [
        "prepare:b1",
        "keep-in-touch:c-fay",
        "offer:c-dan",
    ]
    # The day before: the brief, which takes no one's place (Dan's offer stays).
    assert shown(s.next(at("2026-03-11", "09:00"))) == [
        (
            "prepare:b1",
            "“Coffee with Gus” with Gus Berg is today at 10:00: prepare. Cooling: no interaction logged yet.",
        ),
        (
            "brief:m1",
            "“Pricing workshop” with Dan Ruiz is tomorrow at 14:00: "
            "read the brief (`netgoals next brief m1`).",
        ),
        ("keep-in-touch:c-fay", FAY.format(days=37, late=16)),
        OFFER_DAN,
    ]
    # Within the hour it tops the list.
    assert s.next(at("2026-03-12", "13:30"))[0].item_id == "brief:m1"
    # The day after: the nudge (Dan's one place in the list).
    thirteenth = s.next(at("2026-03-13", "09:00"))
    assert shown(thirteenth) == [
        ("after:m1", WORKSHOP.format(when="yesterday")),
        ("keep-in-touch:c-fay", FAY.format(days=39, late=18)),
    ]
    assert (thirteenth[0].action, thirteenth[0].meeting_id, thirteenth[0].contact_id) == (
        "follow-up",
        "m1",
        "c-dan",
    )
    # Done, with a promise: it is kept in view until it is done.
    s.did("follow-up", "2026-03-13", "c-dan", clock="09:00")
    s.answer(
        "after:m1",
        "done",
        at("2026-03-13", "09:00"),
        "c-dan",
        promises=(("p1", "send Dan the pricing sheet"),),
    )
    fourteenth = shown(s.next(at("2026-03-14", "09:00")))
    assert fourteenth == [
        ("keep-in-touch:c-fay", FAY.format(days=40, late=19)),
        (
            "promise:p1",
            "You promised Dan Ruiz “send Dan the pricing sheet” yesterday: keep it, then mark it done.",
        ),
    ]
    # As it stood before the answer, the nudge was still there.
    assert shown(s.next(at("2026-03-13", "08:59")))[0] == ("after:m1", WORKSHOP.format(when="yesterday"))
    # Not now rests a promise a week; done closes it for good, and Dan's offer comes back.
    s.answer("promise:p1", "dismissed", at("2026-03-14", "09:00"), "c-dan")
    assert [i.item_id for i in s.next(at("2026-03-15", "09:00"))] == ["keep-in-touch:c-fay", "offer:c-dan"]
    assert [i.item_id for i in s.next(at("2026-03-22", "09:00"))][1] == "promise:p1"
    s.answer("promise:p1", "done", at("2026-03-22", "09:00"), "c-dan")
    assert [i.item_id for i in s.next(at("2026-04-30", "09:00"))] == ["keep-in-touch:c-fay", "offer:c-dan"]


def test_job_seeker_keeps_a_promise() -> None:
    s = _job_seeker()
    s.did("follow-up", "2026-03-20", "c-ana", clock="12:00")
    promised = (("p1", "send Ana my portfolio"),)
    s.answer("keep-in-touch:c-ana", "done", at("2026-03-20"), "c-ana", promises=promised)
    promise = "You promised Ana Lima “send Ana my portfolio” {when}: keep it, then mark it done."
    assert shown(s.next(at("2026-03-20", "11:59"))) == [shown(s.next(at("2026-03-20", "11:59")))[0], GAP]
    assert shown(s.next(at("2026-03-20", "13:00"))) == [("promise:p1", promise.format(when="today")), GAP]
    assert shown(s.next(at("2026-03-24", "13:00"))) == [
        ("promise:p1", promise.format(when="4 days ago")),
        GAP,
    ]
    s.answer("promise:p1", "done", at("2026-03-24", "13:00"), "c-ana")
    assert shown(s.next(at("2026-03-24", "13:01"))) == [GAP]


def test_mentee_before_and_after_meeting_the_mentor() -> None:
    s = _mentee()
    s.meeting("m1", at("2026-03-21", "15:00"), "Coffee with Hal", "c-hal")
    brief_m1 = (
        "brief:m1",
        "“Coffee with Hal” with Hal Ito is {when} at 15:00: read the brief (`netgoals next brief m1`).",
    )
    # The day before, the goal's pace leads; within the hour, the brief does.
    assert shown(s.next(at("2026-03-20", "09:00"))) == [
        MENTOR_BEHIND,
        (brief_m1[0], brief_m1[1].format(when="tomorrow")),
    ]
    assert shown(s.next(at("2026-03-21", "14:30"))) == [
        (brief_m1[0], brief_m1[1].format(when="today")),
        MENTOR_BEHIND,
    ]
    found = brief(s.meetings[0], s.profile, s.actions, {}, [], at("2026-03-21", "14:30"))
    assert found.serves == ("Build a relationship with a mentor", "Find a mentor in data science")
    assert [(p.name, p.who) for p in found.people] == [("Hal Ito", "no details noted yet")]
    # The calendar counted the meeting for the mentor goal; the day after, the nudge.
    s.did("meet-mentor", "2026-03-21", "c-hal", clock="15:00")
    assert shown(s.next(at("2026-03-22", "09:00"))) == [
        (
            "after:m1",
            "“Coffee with Hal” was yesterday at 15:00: follow up with Hal Ito, note what you promised.",
        )
    ]
    assert shown(s.next(at("2026-03-24", "09:00"))) == []  # the nudge lasts two days
