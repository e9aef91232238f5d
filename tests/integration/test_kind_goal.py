"""The goal that closes a "nobody at a climate startup" gap counts only new contacts at one (issue
22, item 7: it counted any new contact). "At one" is the gap's own rule (domain.people.network_gaps):
every telling word of the kind in the contact's organisation, role or tags — so re-tagging a
contact recounts, and a rebuild agrees with the incremental projection, on both engines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine

from domain.decisions import ContactSpec
from service.access import users
from service.app import App
from service.people import contacts, network_gaps
from service.read_models import progress as progress_service
from service.tracking import actions
from tests.conftest import FixedClock
from tests.integration.scenario import snapshot


def test_a_kind_goal_counts_only_new_contacts_at_that_kind(
    engine: Engine, make_app: Callable[[Engine], App], clock: FixedClock
) -> None:
    app = make_app(engine)
    user_id = users.register(app, "ann@example.com", "Europe/Berlin").user_id
    from service.tracking import goals

    aspiration = goals.add_aspiration(
        app, user_id, "Move into a product role at a climate startup", "new-job"
    )
    goal_id = network_gaps.set_gap_goal(app, user_id, aspiration, "no-one-at-kind")
    [goal] = goals.list_goals(app, user_id)
    assert goal.title == "Reach out to one new contact at a climate startup per week"
    bank = contacts.add_contact(app, user_id, ContactSpec(name="Ann Okafor", organisation="Big Bank"))
    solar = contacts.add_contact(
        app, user_id, ContactSpec(name="Tomás Ruiz", organisation="SolarLab", tags=("climate", "startups"))
    )

    def done() -> int:
        [line] = progress_service.progress(app, user_id)
        assert line.progress.goal.goal_id == goal_id
        return line.progress.current.done

    actions.log_action(app, user_id, "reach-out", clock.now - timedelta(hours=2), contact_ids=(bank,))
    assert done() == 0  # a new contact, but not at a climate startup
    actions.log_action(app, user_id, "reach-out", clock.now - timedelta(hours=1), contact_ids=(solar,))
    assert done() == 1
    contacts.update_contact(
        app, user_id, bank, ContactSpec(name="Ann Okafor", organisation="Climate Startup Co")
    )
    assert done() == 2  # she turned out to be at one: counted from then on, as a rebuild would
    incremental = snapshot(engine)
    app.projection.rebuild()
    assert snapshot(engine) == incremental
    gaps = {g.kind: g for v in network_gaps.by_aspiration(app, user_id) for g in v.gaps}
    assert "no-one-at-kind" not in gaps or gaps["no-one-at-kind"].goal_id == goal_id
