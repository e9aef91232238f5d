"""The web application: REST API under /api/v1, the dashboard at /, health and docs.

`create_app(settings, clock)` is the factory uvicorn runs (`--factory`), and what tests call with
a temporary database.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from api.pages import (
    account,
    aspirations,
    calendar,
    confirm,
    docs,
    first_run,
    goals,
    google,
    home,
    network,
    network_assess,
    network_gaps,
    network_import,
    quick_log,
    rotate,
    signin,
    today,
    updates,
)
from api.rest import account as account_api
from api.rest import actions as actions_api
from api.rest import aspirations as aspirations_api
from api.rest import caldav as caldav_api
from api.rest import confirmations as confirmations_api
from api.rest import contacts as contacts_api
from api.rest import feeds as feeds_api
from api.rest import goals as goals_api
from api.rest import google as google_api
from api.rest import health, history, metrics, webhooks
from api.rest import network as network_api
from api.rest import next as next_api
from api.rest import progress as progress_api
from api.rest import sources as sources_api
from api.rest import updates as updates_api
from api.security import BodyLimit, DocumentedPaths, MethodNotAllowed, SecurityHeaders, documented_paths
from service import bootstrap
from service.access import log_redaction, throttle
from service.app import Clock
from service.commands import ConcurrencyError, DomainError, NotFoundError
from service.settings import Settings

log = logging.getLogger("netgoals.api")

# Every router, each declared once at module level, registered the same way and in this order:
# the fixed /network/import|assess|gaps pages before the dashboard's /network/{contact_id}.
ROUTERS: tuple[APIRouter, ...] = (
    # the REST API under /api/v1 (JSON), the feed, the webhook, health and metrics
    account_api.router,
    aspirations_api.router,
    goals_api.router,
    contacts_api.router,
    actions_api.router,
    confirmations_api.router,
    progress_api.router,
    history.router,
    network_api.router,
    next_api.router,
    sources_api.router,
    feeds_api.router,
    feeds_api.feeds,
    caldav_api.router,
    updates_api.router,
    webhooks.router,
    health.router,
    metrics.router,
    # the HTML pages
    network_import.router,
    network_assess.router,
    network_gaps.router,
    signin.router,
    home.router,
    first_run.router,
    today.router,
    goals.router,
    aspirations.router,
    network.router,
    account.router,
    quick_log.router,
    confirm.router,
    calendar.router,
    updates.router,
    google.router,
    rotate.router,
    docs.router,
)
# Only where Google is configured: a server that cannot connect a calendar has no JSON API for one.
GOOGLE_ROUTERS: tuple[APIRouter, ...] = (google_api.router,)


def _routers(google: bool) -> tuple[APIRouter, ...]:
    return ROUTERS + (GOOGLE_ROUTERS if google else ())


@cache
def _documented_paths(google: bool) -> DocumentedPaths:
    """The same for every app of a process (the routers are module-level): made once."""
    return documented_paths(_routers(google))


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    log_redaction.install()  # capabilities (feed URLs, signed links, OAuth codes) never reach a log
    world = bootstrap.world(settings, clock)  # this process's world (service/bootstrap.py)
    service = world.app

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        throttle.close(app.state.limiter)
        world.close()

    app = FastAPI(
        title="netgoals",
        version="1",
        summary="Networking goals, progress and your network over HTTP.",
        description=(
            "Authenticate with `Authorization: Bearer <token>` (from `netgoals user add`). "
            "JSON field names match the CLI's `--json` output. POSTs accept an `Idempotency-Key`."
        ),
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    # What the routes' dependencies read (api/deps.py): nothing else reaches a route.
    app.state.netgoals = service
    app.state.settings = settings
    app.state.world = world  # Google, CalDAV, updates and links, built at first use
    if settings.google_configured:
        world.google  # noqa: B018 - a server with Google but no vault key refuses to start
    app.state.jobs = world.jobs  # the queue's producer
    app.state.limiter = throttle.shared_counter(service, settings)  # seen by every API process

    for router in _routers(settings.google_configured):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    app.mount(docs.ASSETS, docs.assets(), name="docs-assets")

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own handler, but its echo of the input is made writable: text that cannot be
        # encoded (a lone surrogate in a query or path) must not turn a 422 into a 500.
        return JSONResponse({"detail": _writable(jsonable_encoder(exc.errors()))}, status_code=422)

    @app.exception_handler(NotFoundError)
    async def not_found(_request: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse({"detail": _writable(str(exc))}, status_code=404)

    @app.exception_handler(DomainError)
    async def rejected(_request: Request, exc: DomainError) -> JSONResponse:
        detail = [{"loc": ["body"], "msg": _writable(str(exc)), "type": "value_error"}]
        rows = getattr(exc, "rows", ())  # a contact file's wrong rows: one entry each, as data
        if rows:
            detail = [
                {"loc": ["body", row.where], "msg": str(row), "type": "value_error", **row.as_dict()}
                for row in rows
            ]
            detail = _writable(detail)
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(ConcurrencyError)
    async def conflict(_request: Request, exc: ConcurrencyError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        # The last resort: log it (never the headers, which may carry a token) and answer plainly.
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    app.add_middleware(MethodNotAllowed, paths=_documented_paths(settings.google_configured))
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    return app


def _writable(value: Any) -> Any:
    """The same JSON value with every string made encodable as UTF-8 (lone surrogates escaped)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list):
        return [_writable(v) for v in value]
    if isinstance(value, dict):
        return {_writable(k): _writable(v) for k, v in value.items()}
    return value
