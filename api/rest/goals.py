"""REST: goals (with their templates), their preferences and their lifecycle."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from api.deps import ERRORS, CallerDep, IdempotencyKey, once
from api.schemas import GoalIn, GoalRevision, PreferencesIn
from service.commands import GoalSpec, PreferenceSpec
from service.read_models import records
from service.shapes import goals as shapes
from service.shapes.goals import GoalCreated, GoalOut, TemplateOut
from service.tracking import goals
from service.tracking.goals import GoalEdit

router = APIRouter(prefix="/api/v1/goals", tags=["goals"], responses=ERRORS)


@router.get("/templates", response_model=list[TemplateOut])
def list_templates(who: CallerDep) -> list[TemplateOut]:
    """The ready-made goals: monthly-event, weekly-outreach and mentor."""
    return shapes.templates()


@router.get("", response_model=list[GoalOut])
def list_goals(
    who: CallerDep, include_archived: Annotated[bool, Query(description="Include archived goals.")] = False
) -> list[GoalOut]:
    return [GoalOut.of(g) for g in goals.list_goals(who.app, who.user_id, include_archived=include_archived)]


@router.post("", status_code=201, response_model=GoalCreated)
def set_goal(
    body: GoalIn,
    who: CallerDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> GoalCreated:
    """Set a goal from a template (`{"template": "monthly-event"}`) or from its parts."""
    spec = GoalSpec(
        template=body.template,
        title=body.title,
        action=body.action,
        target=body.target,
        frame=body.frame,
        start=body.start,
        deadline=body.deadline,
        aspiration_id=body.aspiration_id,
        contact_ids=tuple(body.contact_ids),
        new_contacts_only=body.new_contacts_only,
        **body.preference_fields(),
    )

    def produce(key: str | None) -> GoalCreated:
        result = goals.set_goal(who.app, who.user_id, spec, key)
        goal = GoalOut.of(records.goal(who.app, who.user_id, result.goal_id))
        return GoalCreated(**goal.model_dump(), warnings=list(result.warnings))

    return once(who, request, response, idempotency_key, body, produce)


@router.get("/{goal_id}", response_model=GoalOut)
def get_goal(goal_id: UUID, who: CallerDep) -> GoalOut:
    return GoalOut.of(records.goal(who.app, who.user_id, str(goal_id)))


@router.patch("/{goal_id}", response_model=GoalOut)
def revise_goal(
    goal_id: UUID,
    body: GoalRevision,
    who: CallerDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> GoalOut:
    """Revise a goal: a new target applies from the next period (history keeps the old one), a new
    title, or the aspiration it serves (`aspiration_id`, null for none), all in one change."""

    def produce(key: str | None) -> GoalOut:
        if "aspiration_id" in body.model_fields_set:
            records.goal(who.app, who.user_id, str(goal_id))  # not found before anything else
            edit = GoalEdit(
                target=body.target,
                title=body.title,
                aspiration_id=str(body.aspiration_id) if body.aspiration_id else None,
                link=True,
            )
            goals.edit_goal(who.app, who.user_id, str(goal_id), edit, key=key)
        else:
            goals.revise_goal(
                who.app, who.user_id, str(goal_id), target=body.target, title=body.title, key=key
            )
        return GoalOut.of(records.goal(who.app, who.user_id, str(goal_id)))

    return once(who, request, response, idempotency_key, body, produce)


@router.put("/{goal_id}/preferences", response_model=GoalOut)
def set_preferences(
    goal_id: UUID,
    body: PreferencesIn,
    who: CallerDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> GoalOut:
    """Set a goal's own preferences: its calendar blocks (duration, days, hours) and which calendar
    events count for it (keywords, domains). Fields left out fall back to the defaults of the goal's
    action kind. Future blocks follow at the next sync; new matching rules apply to events pulled
    from then on."""
    spec = PreferenceSpec(**body.preference_fields())

    def produce(key: str | None) -> GoalOut:
        goals.set_preferences(who.app, who.user_id, str(goal_id), spec, replace=True, key=key)
        return GoalOut.of(records.goal(who.app, who.user_id, str(goal_id)))

    return once(who, request, response, idempotency_key, body, produce)


def _lifecycle(verb: str, doc: str) -> None:
    change = {"pause": goals.pause_goal, "resume": goals.resume_goal, "archive": goals.archive_goal}[verb]

    def endpoint(
        goal_id: UUID,
        who: CallerDep,
        request: Request,
        response: Response,
        idempotency_key: IdempotencyKey = None,
    ) -> GoalOut:
        def produce(key: str | None) -> GoalOut:
            change(who.app, who.user_id, str(goal_id), key)
            return GoalOut.of(records.goal(who.app, who.user_id, str(goal_id)))

        return once(who, request, response, idempotency_key, None, produce)

    router.add_api_route(
        f"/{{goal_id}}/{verb}",
        endpoint,
        methods=["POST"],
        response_model=GoalOut,
        name=f"{verb}_goal",
        summary=f"{verb.capitalize()} a goal",
        description=doc,
    )


_lifecycle("pause", "Pause a goal: paused periods are not counted as missed.")
_lifecycle("resume", "Resume a paused goal.")
_lifecycle("archive", "Archive a goal you no longer pursue; its history stays.")
