"""`GET /healthz`: liveness, answered without authentication."""

from __future__ import annotations

from fastapi import APIRouter

from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz() -> dict[str, str]:
    """Liveness: answers without authentication."""
    return {"status": "ok"}
