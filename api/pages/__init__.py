"""The dashboard's pages, one module per page: sign-in, home, goals and aspirations, network,
account (settings, history, export and import)."""

from fastapi import APIRouter

from api.pages import account, aspirations, first_run, goals, home, network, quick_log, signin, today

router = APIRouter(include_in_schema=False)
for _module in (signin, home, first_run, today, goals, aspirations, network, account, quick_log):
    router.include_router(_module.router)

__all__ = ["router"]
