"""What every API route needs: the application context, the caller, idempotent answers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from service import accounts, throttle
from service.app import App

_bearer = HTTPBearer(auto_error=False, description="The API token printed by `netgoals user add`.")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def get_app(request: Request) -> App:
    app: App = request.app.state.netgoals
    return app


def get_limiter(request: Request) -> throttle.FailureCounter:
    limiter: throttle.FailureCounter = request.app.state.limiter
    return limiter


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
    key: str | None,
    body: BaseModel | None,
    status: int,
    produce: Callable[[str | None], Any],
) -> JSONResponse:
    """Run a command once per idempotency key and answer a retry with the first answer.

    The key is claimed (with the request's fingerprint) before the command runs, so a different
    request with the same key is rejected whether the first one finished or is still running; the
    key goes to the use case too (ids derive from it), so two concurrent retries of the same
    request append nothing twice.
    """
    if key is None:
        with who.app.unit():  # one unit of work per command (service/app.py)
            return JSONResponse(jsonable_encoder(produce(None)), status_code=status)
    payload = body.model_dump(mode="json") if body is not None else None
    fingerprint = hashlib.sha256(
        json.dumps([request.method, request.url.path, payload], sort_keys=True).encode()
    ).hexdigest()
    claim = accounts.claim_key(who.app, who.user_id, key, fingerprint)
    if claim.reused:
        return JSONResponse(
            {
                "detail": [
                    {
                        "loc": ["header", "idempotency-key"],
                        "msg": "this Idempotency-Key was already used for a different request",
                        "type": "value_error",
                    }
                ]
            },
            status_code=422,
        )
    if claim.answer is not None:
        return JSONResponse(json.loads(claim.answer.body), status_code=claim.answer.status)
    try:
        with who.app.unit():
            content = jsonable_encoder(produce(f"api/{key}"))
    except BaseException:
        if claim.mine:
            accounts.release_key(who.app, who.user_id, key, fingerprint)
        raise
    if claim.mine:
        accounts.finish_key(who.app, who.user_id, key, status, json.dumps(content))
    return JSONResponse(content, status_code=status)
