"""The web application: REST API under /api/v1, the dashboard at /, health and docs.

`create_app(settings, clock)` is the factory uvicorn runs (`--factory`), and what tests call with
a temporary database.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from api import (
    confirm,
    dashboard,
    metrics,
    network_pages,
    network_rest,
    next_rest,
    rest_goals,
    rest_network,
    webhooks,
)
from api.caldav import router_for as caldav_router
from api.credentials import router_for as credentials_router
from api.docs import add_docs
from api.feeds import router_for as feeds_router
from api.google import router_for as google_router
from api.schemas import Health, Problem
from api.security import BodyLimit, MethodNotAllowed, SecurityHeaders
from api.sources import router_for as sources_router
from api.updates import router_for as updates_router
from service import bootstrap, log_redaction, throttle
from service.app import Clock
from service.commands import ConcurrencyError, DomainError, NotFoundError
from service.settings import Settings

log = logging.getLogger("netgoals.api")

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body could not be parsed"},
    401: {"model": Problem, "description": "No valid API token"},
    404: {"model": Problem, "description": "Not found (or not yours)"},
    409: {"model": Problem, "description": "A concurrent change won; try again"},
    413: {"model": Problem, "description": "Request body over 1 MB"},
    429: {"model": Problem, "description": "Too many failed sign-ins; see Retry-After"},
}


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
    app.state.netgoals = service
    app.state.limiter = throttle.shared_counter(service, settings)  # seen by every API process
    app.state.google_enabled = settings.google_configured
    app.state.confirm_after_days = settings.confirm_after_days

    app.include_router(rest_goals.router, prefix="/api/v1", responses=_ERRORS)
    app.include_router(network_rest.router, prefix="/api/v1", responses=_ERRORS)
    app.include_router(rest_network.router, prefix="/api/v1", responses=_ERRORS)
    app.include_router(next_rest.router, prefix="/api/v1", responses=_ERRORS)
    # The fixed /network/import|assess|gaps pages before the dashboard's /network/{contact_id}.
    app.include_router(network_pages.router)
    app.include_router(dashboard.router)
    app.include_router(confirm.router_for(settings), responses=_ERRORS)
    webhooks.attach(app, settings, service, _ERRORS)  # before google's routes: it serves /webhooks/google
    app.include_router(google_router(settings), responses=_ERRORS)
    app.include_router(caldav_router(settings), responses=_ERRORS)
    app.include_router(updates_router(settings), responses=_ERRORS)
    app.include_router(credentials_router(settings), responses=_ERRORS)
    metrics.attach(app)
    app.include_router(sources_router(settings), prefix="/api/v1", responses=_ERRORS)
    app.include_router(feeds_router(settings))
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    add_docs(app)

    @app.get("/healthz", response_model=Health, tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness: answers without authentication."""
        return {"status": "ok"}

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

    app.add_middleware(MethodNotAllowed)
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
