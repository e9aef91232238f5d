"""`GET /metrics`: the Prometheus text format. With NETGOALS_METRICS_TOKEN set, a scrape must send
it as a bearer token (compared in constant time), from anywhere. Without it, only a client on this
machine (a loopback address) is answered: a scraper elsewhere needs the token. Behind a proxy, run
`netgoals api --proxy-headers` so that the proxy's own loopback address does not open it to all."""

from __future__ import annotations

import ipaddress

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from api.deps import JobsDep, client_address
from service.access import keys
from service.operations import metrics

router = APIRouter(tags=["health"], include_in_schema=False)


@router.get("/metrics")
def scrape(request: Request, jobs: JobsDep) -> Response:
    token = jobs.settings.metrics_token
    if token is not None:
        sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not keys.same(token.get_secret_value(), sent):
            return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
    elif not _loopback(client_address(request)):
        refusal = "/metrics answers other machines only with NETGOALS_METRICS_TOKEN set (as a bearer token)\n"
        return Response(refusal, status_code=403, media_type="text/plain")
    body = metrics.render(jobs.settings, jobs.app, jobs.redis)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def _loopback(host: str) -> bool:
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:  # a Unix socket's peer, or no peer at all: not known to be this machine
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # a dual-stack socket's IPv4 client
    return ip.is_loopback
