"""REST: the caller's account — who the token belongs to, and rotating everything a leaked
credential could open (`service/access/credentials.py`; the dashboard's button is `api/pages/rotate.py`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import ERRORS, CallerDep, SettingsDep
from api.schemas import Me
from service.access import credentials
from service.shapes.account import RotatedOut

router = APIRouter(prefix="/api/v1/me", tags=["account"], responses=ERRORS)


@router.get("", response_model=Me)
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


@router.post("/rotate", response_model=RotatedOut)
def rotate(who: CallerDep, settings: SettingsDep) -> RotatedOut:
    """A leaked token? New API token (answered once), new feed URLs, and every confirm and
    unsubscribe link sent so far refused. The token that made this call stops working."""
    done = credentials.rotate_everything(who.app, settings, who.user_id)
    return RotatedOut.of(done)
