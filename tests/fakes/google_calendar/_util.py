"""Small helpers shared by the fake: errors in Google's shapes, ids, time formatting."""

from __future__ import annotations

import secrets
import string
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

JSON = dict[str, Any]

_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    410: "GONE",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
}

BASE32HEX = frozenset("0123456789abcdefghijklmnopqrstuv")


def google_error_body(code: int, reason: str, message: str, domain: str = "global") -> JSON:
    """The JSON error document Google APIs answer with."""
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"domain": domain, "reason": reason, "message": message}],
            "status": _STATUS_NAMES.get(code, "UNKNOWN"),
        }
    }


class ApiError(Exception):
    """An error answer of the Calendar API (Google's JSON error shape)."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        domain: str = "global",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code} {reason}: {message}")
        self.code = code
        self.reason = reason
        self.message = message
        self.domain = domain
        self.headers = headers or {}

    def body(self) -> JSON:
        return google_error_body(self.code, self.reason, self.message, self.domain)


def bad_request(message: str, reason: str = "badRequest") -> ApiError:
    return ApiError(400, reason, message)


def invalid_parameter(message: str) -> ApiError:
    return ApiError(400, "invalidParameter", message)


def not_found(message: str = "Not Found") -> ApiError:
    return ApiError(404, "notFound", message)


class OAuthError(Exception):
    """An error answer of the OAuth token / revoke endpoints: {"error": ..., ...}."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> JSON:
        return {"error": self.error, "error_description": self.description}


class ControlError(Exception):
    """A bad request to the control API."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def random_token(prefix: str = "", nbytes: int = 24) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


def random_base32hex(length: int = 26) -> str:
    alphabet = "0123456789abcdefghijklmnopqrstuv"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def random_alnum(length: int) -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def valid_event_id(event_id: str) -> bool:
    return 5 <= len(event_id) <= 1024 and all(c in BASE32HEX for c in event_id)


def format_rfc3339_ms(moment: datetime) -> str:
    """Google's `updated`/`created` format: 2024-05-01T08:00:00.000Z."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def format_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(value: str, what: str) -> datetime:
    """Parse an RFC 3339 timestamp that must carry an offset (as Google demands for timeMin...)."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        raise bad_request(f"Bad Request: invalid {what} {value!r}", "badRequest") from None
    if parsed.tzinfo is None:
        raise bad_request(f"Bad Request: {what} must have a time zone offset", "badRequest")
    return parsed


def zone(name: str, what: str = "timeZone") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise bad_request(f"Invalid time zone definition for {what}.", "invalid") from None


def parse_date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise bad_request(f"Invalid value for {what}: {value!r}", "invalid") from None


def deep_merge(target: JSON, patch: JSON) -> JSON:
    """Google patch semantics: objects merge, arrays and scalars replace, null removes."""
    result = dict(target)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = value
    return result


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


ONE_MS = timedelta(milliseconds=1)
