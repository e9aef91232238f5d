"""A netgoals block as an iCalendar resource: a stable UID, the times in the person's zone with
their VTIMEZONE, and X-NETGOALS-* properties that say it is ours (kept by every server tried;
the UID is what netgoals relies on)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from domain.calendars.calendar_port import Block

PRODID = "-//netgoals//calendar blocks//EN"


def block_calendar(block: Block, now: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", block.uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", block.start)
    event.add("dtend", block.end)
    event.add("summary", block.title)
    event.add("description", block.description)
    event.add("transp", "OPAQUE")
    event.add("x-netgoals-action", block.action_id)
    if block.goal_id:
        event.add("x-netgoals-goal", block.goal_id)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", block.title)
    alarm.add("trigger", timedelta(minutes=-10))
    event.add_component(alarm)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
