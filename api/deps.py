"""What every route needs, as FastAPI dependencies: the application context, the settings, the
calendar and update contexts, the job queue, the caller, and idempotent answers.

Everything here reads what `api/app.py` put on `app.state` when the app was made: the process's
world (`service/bootstrap.py`) and what it built. No route module builds a context of its own, so
every router is declared once at module level."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, HTTPException, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from api.schemas import Problem
from service import bootstrap
from service.access import accounts, throttle
from service.app import App
from service.caldav.context import CalDAV
from service.commands import SecretKeyMissingError
from service.google import Google
from service.operations import jobs as jobs_service
from service.settings import Settings
from service.tracking.confirm_links import Links
from service.updates import Updates

_bearer = HTTPBearer(auto_error=False, description="The API token printed by `netgoals user add`.")
M = TypeVar("M", bound=BaseModel)

# The errors every /api/v1 route may answer, said once in the OpenAPI document.
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body could not be parsed"},
    401: {"model": Problem, "description": "No valid API token"},
    404: {"model": Problem, "description": "Not found (or not yours)"},
    409: {"model": Problem, "description": "A concurrent change won; try again"},
    413: {"model": Problem, "description": "Request body over 1 MB"},
    429: {"model": Problem, "description": "Too many failed sign-ins; see Retry-After"},
}


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def get_app(request: Request) -> App:
    app: App = request.app.state.netgoals
    return app


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_limiter(request: Request) -> throttle.FailureCounter:
    limiter: throttle.FailureCounter = request.app.state.limiter
    return limiter


def get_jobs(request: Request) -> jobs_service.Jobs:
    """The producer side of the queue for this API process."""
    jobs: jobs_service.Jobs = request.app.state.jobs
    return jobs


def _world(request: Request) -> bootstrap.World:
    """The process's world (`service/bootstrap.py`), which `api/app.py` took its App from."""
    found: bootstrap.World = request.app.state.world
    return found


def google_of(request: Request) -> Google:
    """Google's context; 404 on a server where Google is not configured."""
    world = _world(request)
    if not world.settings.google_configured:
        raise HTTPException(404, "Google Calendar is not configured on this server")
    return world.google


def caldav_of(request: Request) -> CalDAV:
    """CalDAV's context, opened at first use (a server without CalDAV users needs no vault key)."""
    return _world(request).caldav


def updates_of(request: Request) -> Updates:
    """The updates' context, opened at first use; 503 on a server without NETGOALS_SECRET_KEY."""
    try:
        return _world(request).updates
    except SecretKeyMissingError:
        raise HTTPException(503, "progress updates need NETGOALS_SECRET_KEY on this server") from None


def links_of(request: Request) -> Links | None:
    return _world(request).links


SettingsDep = Annotated[Settings, Depends(get_settings)]
JobsDep = Annotated[jobs_service.Jobs, Depends(get_jobs)]


@dataclass(frozen=True, slots=True)
class Caller:
    app: App
    user_id: str


def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The user whose API token came with the request; 401 otherwise. A valid token always gets
    through; repeated bad tokens (per address, per token) are answered 429 with Retry-After."""
    app = get_app(request)
    token = credentials.credentials if credentials else None
    try:
        user_id = throttle.api_user(app, get_limiter(request), token, client_address(request))
    except throttle.ThrottledError as exc:
        raise HTTPException(429, str(exc), headers={"Retry-After": str(exc.retry_after)}) from None
    if user_id is None:
        raise HTTPException(
            401,
            "a valid API token is required: Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Caller(app, user_id)


CallerDep = Annotated[Caller, Depends(caller)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Send the same key again to retry safely: nothing new is appended and the "
        "first answer comes back.",
    ),
]


def once(
    who: Caller,
    request: Request,
    response: Response,
    key: str | None,
    body: BaseModel | None,
    produce: Callable[[str | None], M],
) -> M:
    """Run a command once per idempotency key and answer a retry with the first answer.

    The key is claimed (with the request's fingerprint) before the command runs, so a different
    request with the same key is rejected whether the first one finished or is still running; the
    key goes to the use case too (ids derive from it), so two concurrent retries of the same
    request append nothing twice. The answer is the route's response model: a retry reads the
    stored first answer back into it, with the first answer's status.
    """
    if key is None:
        with who.app.unit():  # one unit of work per command (service/app.py)
            return produce(None)
    payload = body.model_dump(mode="json") if body is not None else None
    fingerprint = hashlib.sha256(
        json.dumps([request.method, request.url.path, payload], sort_keys=True).encode()
    ).hexdigest()
    claim = accounts.claim_key(who.app, who.user_id, key, fingerprint)
    if claim.reused:
        wrong = "this Idempotency-Key was already used for a different request"
        raise HTTPException(
            422, [{"loc": ["header", "idempotency-key"], "msg": wrong, "type": "value_error"}]
        )
    route = request.scope["route"]  # the decorator says the status and the shape of the answer
    if claim.answer is not None:
        response.status_code = claim.answer.status
        replayed: M = route.response_model.model_validate_json(claim.answer.body)
        return replayed
    try:
        with who.app.unit():
            answer = produce(f"api/{key}")
    except BaseException:
        if claim.mine:
            accounts.release_key(who.app, who.user_id, key, fingerprint)
        raise
    if claim.mine:
        status = response.status_code or route.status_code or 200
        accounts.finish_key(who.app, who.user_id, key, status, answer.model_dump_json(by_alias=True))
    return answer
