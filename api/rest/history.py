"""REST: what happened, straight from the event log, and the whole log exported."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from api.deps import ERRORS, CallerDep
from api.schemas import HistoryItem
from service.operations import archive
from service.tracking import actions

router = APIRouter(prefix="/api/v1", tags=["history"], responses=ERRORS)


@router.get("/history", response_model=list[HistoryItem])
def history(
    who: CallerDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="How many events.")] = 20,
    before: Annotated[
        int | None, Query(ge=1, le=2**62, description="Only events before this log position (paging).")
    ] = None,
) -> list[dict[str, Any]]:
    """What happened, newest first, straight from the event log."""
    return actions.history(who.app, who.user_id, limit, before)


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {"schema": {"type": "string"}}}}},
)
def export(who: CallerDep) -> StreamingResponse:
    """Your raw events as JSON Lines, oldest first (the format `netgoals import` reads)."""
    lines = list(archive.export_lines(who.app, who.user_id))

    def body() -> Iterator[str]:
        for line in lines:
            yield line + "\n"

    return StreamingResponse(
        body(),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="netgoals-export.jsonl"'},
    )
