"""REST: planned blocks waiting for your word, and answering one (did it happen?). The signed links
and the dashboard's list are `api/pages/confirm.py`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ERRORS, CallerDep, IdempotencyKey, SettingsDep, once
from service.shapes.confirmations import ConfirmedOut, WaitingOut
from service.tracking import confirmation

router = APIRouter(prefix="/api/v1", tags=["confirmations"], responses=ERRORS)


class ConfirmBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer: Literal["done", "skip"]
    # With whom (contact ids): needed when the block's goal counts a contact the block does not name.
    contact_ids: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=20)


@router.get("/confirmations", response_model=list[WaitingOut])
def list_confirmations(who: CallerDep, settings: SettingsDep) -> list[WaitingOut]:
    """Planned blocks that have passed and wait for your word, oldest first."""
    waiting = confirmation.waiting(who.app, who.user_id, settings.confirm_after_days)
    return [WaitingOut.of(w) for w in waiting]


@router.post("/actions/{action_id}/confirm", response_model=ConfirmedOut)
def confirm_block(
    who: CallerDep,
    request: Request,
    response: Response,
    action_id: str,
    body: ConfirmBody,
    idempotency_key: IdempotencyKey = None,
) -> ConfirmedOut:
    """Say whether a planned block happened: `done` counts it, `skip` skips it. Answering the
    same twice changes nothing (`changed: false`)."""

    def produce(_key: str | None) -> ConfirmedOut:
        block_id = confirmation.resolve_block(who.app, who.user_id, action_id)
        answered = confirmation.confirm(
            who.app, who.user_id, block_id, body.answer, "api", tuple(body.contact_ids)
        )
        return ConfirmedOut.of(answered)

    return once(who, request, response, idempotency_key, body, produce)
