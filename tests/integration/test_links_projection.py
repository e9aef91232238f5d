"""Linking goals to aspirations and editing aspirations: the incremental projection equals a
rebuild, on both engines."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from domain.decisions import GoalSpec
from service.access import users
from service.app import App
from service.tracking import goals
from tests.conftest import FixedClock
from tests.integration.scenario import snapshot


def test_links_and_aspiration_edits_project_the_same_incrementally_and_rebuilt(
    engine: Engine, make_app: Callable[[Engine], App], clock: FixedClock
) -> None:
    app = make_app(engine)
    user_id = users.register(app, "ann@example.com", "Europe/Berlin").user_id
    first = goals.add_aspiration(app, user_id, "Move into climate tech", "new-job")
    second = goals.add_aspiration(app, user_id, "Find a mentor", "mentorship")
    goal_id = goals.set_goal(app, user_id, GoalSpec(template="monthly-event")).goal_id
    goals.link_goal(app, user_id, goal_id, first)
    goals.update_aspiration(app, user_id, first, text="Move into climate software")
    goals.link_goal(app, user_id, goal_id, second)
    goals.update_aspiration(app, user_id, second, kind="other")
    goals.link_goal(app, user_id, goal_id, None)
    goals.link_goal(app, user_id, goal_id, second)
    incremental = snapshot(engine)
    found = {a.aspiration_id: a for a in goals.list_aspirations(app, user_id)}
    assert found[first].text == "Move into climate software" and found[second].kind == "other"
    assert goals.list_goals(app, user_id)[0].aspiration_id == second
    app.projection.rebuild()
    assert snapshot(engine) == incremental
