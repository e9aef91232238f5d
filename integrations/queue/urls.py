"""Redis addresses: `redis://host:port/db` and `redis+socket:///path/to/redis.sock` (the embedded
server's unix socket), turned into a redis-py client the same way Celery's broker reads them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry


# redis-py's own default retries a refused socket ten times with backoff (4.3 s against a stopped
# embedded Redis), and every caller here treats Redis as optional (the sweep catches up): one quick
# retry rides out a restart's blip without making an API request wait seconds for a dead server.
def _retry() -> Retry:
    return Retry(ExponentialBackoff(cap=0.05, base=0.01), 1)  # one per client: redis-py updates it


def socket_url(socket_path: str, db: int = 0) -> str:
    return f"redis+socket://{socket_path}?virtual_host={db}"


def redis_py_url(url: str) -> str:
    """The same address in redis-py's spelling (`unix://path?db=N` for a socket), for celery-redbeat."""
    parts = urlsplit(url)
    if parts.scheme == "redis+socket":
        query = parse_qs(parts.query)
        db = int((query.get("virtual_host") or query.get("db") or ["0"])[0])
        return f"unix://{parts.path}?db={db}"
    return url


def client_for(url: str, *, timeout: float = 2.0) -> redis.Redis:
    """A client for `url`; short timeouts so a missing server is an error, not a hang."""
    parts = urlsplit(url)
    if parts.scheme in ("redis+socket", "socket", "unix"):
        query = parse_qs(parts.query)
        db = int((query.get("virtual_host") or query.get("db") or ["0"])[0])
        return redis.Redis(
            unix_socket_path=parts.path,
            db=db,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            decode_responses=True,
            retry=_retry(),
        )
    return redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, decode_responses=True, retry=_retry()
    )


def describe(url: str) -> str:
    """The address without a password, for logs and `netgoals status`."""
    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return parts._replace(netloc=netloc).geturl()
    return url
