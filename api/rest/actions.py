"""REST: networking actions — log one, show one, retract one logged by mistake."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from api.deps import ERRORS, CallerDep, IdempotencyKey, once
from api.schemas import ActionIn, Retraction
from service.read_models import records
from service.shapes.actions import ActionOut
from service.tracking import actions

router = APIRouter(prefix="/api/v1/actions", tags=["actions"], responses=ERRORS)


@router.post("", status_code=201, response_model=ActionOut)
def log_action(
    body: ActionIn,
    who: CallerDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> ActionOut:
    """Log a networking action you took."""

    def produce(key: str | None) -> ActionOut:
        at = records.in_user_zone(who.app, who.user_id, body.at) if body.at else None
        action_id = actions.log_action(
            who.app,
            who.user_id,
            body.action,
            at,
            contact_ids=tuple(body.contact_ids),
            title=body.title,
            note=body.note,
            key=key,
        )
        return ActionOut.of(records.action(who.app, who.user_id, action_id))

    return once(who, request, response, idempotency_key, body, produce)


@router.get("/{action_id}", response_model=ActionOut)
def get_action(action_id: UUID, who: CallerDep) -> ActionOut:
    return ActionOut.of(records.action(who.app, who.user_id, str(action_id)))


@router.post("/{action_id}/retract", response_model=ActionOut)
def retract_action(
    action_id: UUID,
    who: CallerDep,
    request: Request,
    response: Response,
    body: Retraction | None = None,
    idempotency_key: IdempotencyKey = None,
) -> ActionOut:
    """Retract an action logged by mistake (a correction is a new fact; nothing is edited)."""

    def produce(key: str | None) -> ActionOut:
        reason = body.reason if body else None
        actions.retract_action(who.app, who.user_id, str(action_id), reason, key)
        return ActionOut.of(records.action(who.app, who.user_id, str(action_id)))

    return once(who, request, response, idempotency_key, body, produce)
