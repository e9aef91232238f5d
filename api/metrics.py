"""`GET /metrics`: the Prometheus text format. Open by default (bind the API to a private address,
or put it behind the proxy); with NETGOALS_METRICS_TOKEN set, a scrape must send it as a bearer
token (compared in constant time)."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from api.webhooks import jobs_of
from service import metrics

router = APIRouter(tags=["health"])


@router.get("/metrics", include_in_schema=False)
def scrape(request: Request) -> Response:
    jobs = jobs_of(request)
    token = jobs.settings.metrics_token
    if token is not None:
        sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(sent.encode(), token.get_secret_value().encode()):
            return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
    body = metrics.render(jobs.settings, jobs.app, jobs.redis)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def attach(web: FastAPI) -> None:
    web.include_router(router)
