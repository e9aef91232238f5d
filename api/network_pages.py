"""The network pages of the dashboard, in one router: import, assess, and per aspiration."""

from __future__ import annotations

from fastapi import APIRouter

from api import network_assess, network_gaps, network_import

router = APIRouter(include_in_schema=False)
router.include_router(network_import.router)
router.include_router(network_assess.router)
router.include_router(network_gaps.router)
