"""REST: the caller, career aspirations and goals (with their templates)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from api.deps import CallerDep, IdempotencyKey, once
from api.schemas import (
    AspirationIn,
    AspirationOut,
    AspirationUpdate,
    GoalCreated,
    GoalIn,
    GoalOut,
    GoalRevision,
    Me,
    PreferencesIn,
    TemplateOut,
)
from service import goals, records
from service.commands import GoalSpec, PreferenceSpec
from service.goals import GoalEdit

router = APIRouter()


@router.get("/me", response_model=Me, tags=["account"])
def me(who: CallerDep) -> dict[str, Any]:
    """Who the token belongs to (a cheap authenticated call)."""
    user = who.app.user(who.user_id)
    return {
        "user_id": user.user_id,
        "handle": user.handle,
        "timezone": user.timezone,
        "week_start": user.week_start,
        "weekly_budget": user.weekly_budget,
    }


@router.get("/aspirations", response_model=list[AspirationOut], tags=["aspirations"])
def list_aspirations(who: CallerDep) -> list[dict[str, Any]]:
    return [goals.aspiration_as_dict(a) for a in goals.list_aspirations(who.app, who.user_id)]


@router.post("/aspirations", status_code=201, response_model=AspirationOut, tags=["aspirations"])
def add_aspiration(
    body: AspirationIn, who: CallerDep, request: Request, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    def produce(key: str | None) -> dict[str, Any]:
        aspiration_id = goals.add_aspiration(who.app, who.user_id, body.text, body.kind, key)
        return goals.aspiration_as_dict(records.aspiration(who.app, who.user_id, aspiration_id))

    return once(who, request, idempotency_key, body, 201, produce)


@router.get("/aspirations/{aspiration_id}", response_model=AspirationOut, tags=["aspirations"])
def get_aspiration(aspiration_id: UUID, who: CallerDep) -> dict[str, Any]:
    return goals.aspiration_as_dict(records.aspiration(who.app, who.user_id, str(aspiration_id)))


@router.patch("/aspirations/{aspiration_id}", response_model=AspirationOut, tags=["aspirations"])
def update_aspiration(
    aspiration_id: UUID,
    body: AspirationUpdate,
    who: CallerDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Change an aspiration's text or kind; the goals serving it keep serving it."""

    def produce(key: str | None) -> dict[str, Any]:
        records.aspiration(who.app, who.user_id, str(aspiration_id))
        goals.update_aspiration(
            who.app, who.user_id, str(aspiration_id), text=body.text, kind=body.kind, key=key
        )
        return goals.aspiration_as_dict(records.aspiration(who.app, who.user_id, str(aspiration_id)))

    return once(who, request, idempotency_key, body, 200, produce)


@router.get("/goals/templates", response_model=list[TemplateOut], tags=["goals"])
def list_templates(who: CallerDep) -> list[dict[str, Any]]:
    """The ready-made goals: monthly-event, weekly-outreach and mentor."""
    return records.templates_as_dicts()


@router.get("/goals", response_model=list[GoalOut], tags=["goals"])
def list_goals(
    who: CallerDep, include_archived: Annotated[bool, Query(description="Include archived goals.")] = False
) -> list[dict[str, object]]:
    return [
        goals.goal_as_dict(g)
        for g in goals.list_goals(who.app, who.user_id, include_archived=include_archived)
    ]


@router.post("/goals", status_code=201, response_model=GoalCreated, tags=["goals"])
def set_goal(
    body: GoalIn, who: CallerDep, request: Request, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
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

    def produce(key: str | None) -> dict[str, object]:
        result = goals.set_goal(who.app, who.user_id, spec, key)
        goal = records.goal(who.app, who.user_id, result.goal_id)
        return {**goals.goal_as_dict(goal), "warnings": list(result.warnings)}

    return once(who, request, idempotency_key, body, 201, produce)


@router.get("/goals/{goal_id}", response_model=GoalOut, tags=["goals"])
def get_goal(goal_id: UUID, who: CallerDep) -> dict[str, object]:
    return goals.goal_as_dict(records.goal(who.app, who.user_id, str(goal_id)))


@router.patch("/goals/{goal_id}", response_model=GoalOut, tags=["goals"])
def revise_goal(
    goal_id: UUID,
    body: GoalRevision,
    who: CallerDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Revise a goal: a new target applies from the next period (history keeps the old one), a new
    title, or the aspiration it serves (`aspiration_id`, null for none), all in one change."""

    def produce(key: str | None) -> dict[str, object]:
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
        return goals.goal_as_dict(records.goal(who.app, who.user_id, str(goal_id)))

    return once(who, request, idempotency_key, body, 200, produce)


@router.put("/goals/{goal_id}/preferences", response_model=GoalOut, tags=["goals"])
def set_preferences(
    goal_id: UUID,
    body: PreferencesIn,
    who: CallerDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Set a goal's own preferences: its calendar blocks (duration, days, hours) and which calendar
    events count for it (keywords, domains). Fields left out fall back to the defaults of the goal's
    action kind. Future blocks follow at the next sync; new matching rules apply to events pulled
    from then on."""
    spec = PreferenceSpec(**body.preference_fields())

    def produce(key: str | None) -> dict[str, object]:
        goals.set_preferences(who.app, who.user_id, str(goal_id), spec, replace=True, key=key)
        return goals.goal_as_dict(records.goal(who.app, who.user_id, str(goal_id)))

    return once(who, request, idempotency_key, body, 200, produce)


def _lifecycle(verb: str, doc: str) -> None:
    change = {"pause": goals.pause_goal, "resume": goals.resume_goal, "archive": goals.archive_goal}[verb]

    def endpoint(
        goal_id: UUID, who: CallerDep, request: Request, idempotency_key: IdempotencyKey = None
    ) -> JSONResponse:
        def produce(key: str | None) -> dict[str, object]:
            change(who.app, who.user_id, str(goal_id), key)
            return goals.goal_as_dict(records.goal(who.app, who.user_id, str(goal_id)))

        return once(who, request, idempotency_key, None, 200, produce)

    router.add_api_route(
        f"/goals/{{goal_id}}/{verb}",
        endpoint,
        methods=["POST"],
        response_model=GoalOut,
        tags=["goals"],
        name=f"{verb}_goal",
        summary=f"{verb.capitalize()} a goal",
        description=doc,
    )


_lifecycle("pause", "Pause a goal: paused periods are not counted as missed.")
_lifecycle("resume", "Resume a paused goal.")
_lifecycle("archive", "Archive a goal you no longer pursue; its history stays.")
