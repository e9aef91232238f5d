"""REST: progress on your goals this period (the same list as `netgoals progress --json`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ERRORS, CallerDep
from api.schemas import Day
from service.read_models import progress as progress_service
from service.shapes.progress import ProgressOut

router = APIRouter(prefix="/api/v1/progress", tags=["progress"], responses=ERRORS)


@router.get("", response_model=list[ProgressOut])
def progress(
    who: CallerDep,
    as_of: Annotated[
        Day | None, Query(description="YYYY-MM-DD: progress as it stood at the end of that day.")
    ] = None,
    include_archived: Annotated[bool, Query(description="Include archived goals.")] = False,
) -> list[ProgressOut]:
    """Your goals this period: done, status and streaks; the same list as `netgoals progress --json`."""
    lines = progress_service.progress(who.app, who.user_id, as_of, include_archived=include_archived)
    return [ProgressOut.of(line) for line in lines]
