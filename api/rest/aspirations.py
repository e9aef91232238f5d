"""REST: career aspirations, the why behind goals."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from api.deps import ERRORS, CallerDep, IdempotencyKey, once
from api.schemas import AspirationIn, AspirationUpdate
from service.read_models import records
from service.shapes.aspirations import AspirationOut
from service.tracking import goals

router = APIRouter(prefix="/api/v1/aspirations", tags=["aspirations"], responses=ERRORS)


@router.get("", response_model=list[AspirationOut])
def list_aspirations(who: CallerDep) -> list[AspirationOut]:
    return [AspirationOut.of(a) for a in goals.list_aspirations(who.app, who.user_id)]


@router.post("", status_code=201, response_model=AspirationOut)
def add_aspiration(
    body: AspirationIn,
    who: CallerDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> AspirationOut:
    def produce(key: str | None) -> AspirationOut:
        aspiration_id = goals.add_aspiration(who.app, who.user_id, body.text, body.kind, key)
        return AspirationOut.of(records.aspiration(who.app, who.user_id, aspiration_id))

    return once(who, request, response, idempotency_key, body, produce)


@router.get("/{aspiration_id}", response_model=AspirationOut)
def get_aspiration(aspiration_id: UUID, who: CallerDep) -> AspirationOut:
    return AspirationOut.of(records.aspiration(who.app, who.user_id, str(aspiration_id)))


@router.patch("/{aspiration_id}", response_model=AspirationOut)
def update_aspiration(
    aspiration_id: UUID,
    body: AspirationUpdate,
    who: CallerDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> AspirationOut:
    """Change an aspiration's text or kind; the goals serving it keep serving it."""

    def produce(key: str | None) -> AspirationOut:
        records.aspiration(who.app, who.user_id, str(aspiration_id))
        goals.update_aspiration(
            who.app, who.user_id, str(aspiration_id), text=body.text, kind=body.kind, key=key
        )
        return AspirationOut.of(records.aspiration(who.app, who.user_id, str(aspiration_id)))

    return once(who, request, response, idempotency_key, body, produce)
