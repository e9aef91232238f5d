"""Event times: validation, normalisation, spans and recurrence expansion (via dateutil)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from dateutil.rrule import rruleset, rrulestr  # type: ignore[import-untyped,unused-ignore]

from ._util import JSON, ApiError, bad_request, parse_date, zone

MAX_INSTANCES = 1000
"""Expansion of one recurring event stops after this many instances."""
MAX_ITERATIONS = 50_000


@dataclass(frozen=True)
class Span:
    start: datetime  # aware
    end: datetime  # aware
    all_day: bool


def _parse_datetime(value: Any, tz_name: str | None, what: str) -> datetime:
    if not isinstance(value, str):
        raise bad_request(f"Invalid {what}.", "invalid")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise bad_request(f"Invalid {what}.", "invalid") from None
    if parsed.tzinfo is None:
        if not tz_name:
            raise ApiError(400, "required", f"Missing time zone definition for {what}.")
        parsed = parsed.replace(tzinfo=zone(tz_name, what))
    return parsed


def normalize_times(event: JSON, calendar_tz: str) -> None:
    """Validate start/end of an event resource in place and render dateTimes with an offset."""
    for key, what in (("start", "start time"), ("end", "end time")):
        value = event.get(key)
        if not isinstance(value, dict) or not (value.get("dateTime") or value.get("date")):
            raise ApiError(400, "required", f"Missing {what}.")
        if value.get("dateTime") and value.get("date"):
            raise bad_request(f"Invalid {what}: both date and dateTime given.", "invalid")
        tz_name = value.get("timeZone")
        if tz_name is not None:
            zone(tz_name, what)
        if value.get("dateTime"):
            moment = _parse_datetime(value["dateTime"], tz_name, what)
            render_zone = zone(tz_name or calendar_tz)
            value["dateTime"] = moment.astimezone(render_zone).isoformat(timespec="seconds")
            value.pop("date", None)
        else:
            parse_date(value["date"], what)
            value.pop("dateTime", None)
    if bool(event["start"].get("date")) != bool(event["end"].get("date")):
        raise bad_request("Start and end times must either both be date or both be dateTime.")
    span = event_span(event, calendar_tz)
    if span.end < span.start:
        raise ApiError(400, "timeRangeEmpty", "The specified time range is empty.")


def time_of(value: JSON, calendar_tz: str) -> datetime:
    if value.get("dateTime"):
        return _parse_datetime(value["dateTime"], value.get("timeZone") or calendar_tz, "time")
    day = parse_date(value["date"], "date")
    return datetime.combine(day, time(), tzinfo=zone(value.get("timeZone") or calendar_tz))


def event_span(event: JSON, calendar_tz: str) -> Span:
    start, end = event["start"], event["end"]
    return Span(time_of(start, calendar_tz), time_of(end, calendar_tz), bool(start.get("date")))


def _until_to_utc(value: str, local: tzinfo) -> str:
    if value.endswith("Z"):
        return value
    if len(value) == 8:  # a date: the whole day counts
        day = datetime.strptime(value, "%Y%m%d").date()
        moment = datetime.combine(day, time(23, 59, 59), tzinfo=local)
    else:
        moment = datetime.strptime(value[:15], "%Y%m%dT%H%M%S").replace(tzinfo=local)
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _rule(line: str, dtstart: datetime, all_day: bool) -> Any:
    parts = []
    for part in line.split(";"):
        key, _, value = part.partition("=")
        if key.upper() == "UNTIL":
            if all_day:
                value = value[:8]
            else:
                assert dtstart.tzinfo is not None
                value = _until_to_utc(value, dtstart.tzinfo)
        parts.append(f"{key}={value}" if value else key)
    try:
        return rrulestr(";".join(parts), dtstart=dtstart)
    except (ValueError, TypeError):
        raise bad_request(f"Invalid recurrence rule: {line}", "invalid") from None


def _dates(line: str, dtstart: datetime, all_day: bool, default_tz: tzinfo) -> list[datetime]:
    head, _, values = line.partition(":")
    tz = default_tz
    for param in head.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.upper() == "TZID":
            tz = zone(value, "recurrence")
    result = []
    for raw in values.split(","):
        raw = raw.strip()
        if not raw:
            continue
        try:
            if len(raw) == 8:
                day = datetime.strptime(raw, "%Y%m%d").date()
                if all_day:
                    result.append(datetime.combine(day, time()))
                else:
                    result.append(datetime.combine(day, dtstart.timetz()))
            elif raw.endswith("Z"):
                moment = datetime.strptime(raw, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                result.append(moment.replace(tzinfo=None) if all_day else moment)
            else:
                moment = datetime.strptime(raw, "%Y%m%dT%H%M%S")
                result.append(moment if all_day else moment.replace(tzinfo=tz))
        except ValueError:
            raise bad_request(f"Invalid recurrence: {line}", "invalid") from None
    return result


def validate_recurrence(recurrence: Any) -> None:
    if not isinstance(recurrence, list) or not all(isinstance(r, str) for r in recurrence):
        raise bad_request("Invalid recurrence.", "invalid")
    for line in recurrence:
        name = line.split(":", 1)[0].split(";", 1)[0].upper()
        if name not in ("RRULE", "EXRULE", "RDATE", "EXDATE"):
            raise bad_request(f"Invalid recurrence rule: {line}", "invalid")


def expand(
    event: JSON,
    calendar_tz: str,
    window_start: datetime | None,
    window_end: datetime | None,
) -> list[JSON]:
    """The instances of a recurring event overlapping [window_start, window_end).

    Expansion stops after MAX_INSTANCES instances (relevant without a window end).
    """
    recurrence = event.get("recurrence") or []
    start, end = event["start"], event["end"]
    all_day = bool(start.get("date"))
    tz_name = start.get("timeZone") or calendar_tz
    local_tz = zone(tz_name)
    if all_day:
        dtstart = datetime.combine(date.fromisoformat(start["date"]), time())
        duration = date.fromisoformat(end["date"]) - date.fromisoformat(start["date"])
    else:
        first = time_of(start, calendar_tz)
        dtstart = first.astimezone(local_tz) if start.get("timeZone") else first
        duration = time_of(end, calendar_tz) - first
    rules = rruleset()
    has_rule = False
    for line in recurrence:
        name, _, value = line.partition(":")
        kind = name.split(";", 1)[0].upper()
        if kind == "RRULE":
            rules.rrule(_rule(value, dtstart, all_day))
            has_rule = True
        elif kind == "EXRULE":
            rules.exrule(_rule(value, dtstart, all_day))
        elif kind == "RDATE":
            for moment in _dates(line, dtstart, all_day, local_tz):
                rules.rdate(moment)
                has_rule = True
        elif kind == "EXDATE":
            for moment in _dates(line, dtstart, all_day, local_tz):
                rules.exdate(moment)
    if not has_rule:
        rules.rdate(dtstart)
    instances: list[JSON] = []
    for produced, occurrence in enumerate(rules):
        if len(instances) >= MAX_INSTANCES or produced >= MAX_ITERATIONS:
            break
        if all_day:
            day = occurrence.date()
            occ_start = datetime.combine(day, time(), tzinfo=local_tz)
            occ_end = datetime.combine(day + duration, time(), tzinfo=local_tz)
        else:
            occ_start, occ_end = occurrence, occurrence + duration
        if window_end is not None and occ_start >= window_end:
            break
        if window_start is not None and occ_end <= window_start:
            continue
        instances.append(_instance(event, occurrence, duration, all_day))
    return instances


def _instance(master: JSON, occurrence: datetime, duration: timedelta, all_day: bool) -> JSON:
    instance = copy.deepcopy(master)
    instance.pop("recurrence", None)
    tz_name = master["start"].get("timeZone")
    if all_day:
        day = occurrence.date()
        suffix = day.strftime("%Y%m%d")
        start: JSON = {"date": day.isoformat()}
        end: JSON = {"date": (day + duration).isoformat()}
    else:
        suffix = occurrence.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        start = {"dateTime": occurrence.isoformat(timespec="seconds")}
        end = {"dateTime": (occurrence + duration).isoformat(timespec="seconds")}
        if tz_name:
            start["timeZone"] = tz_name
            end["timeZone"] = master["end"].get("timeZone", tz_name)
    instance["id"] = f"{master['id']}_{suffix}"
    instance["recurringEventId"] = master["id"]
    instance["originalStartTime"] = dict(start)
    instance["start"] = start
    instance["end"] = end
    return instance
