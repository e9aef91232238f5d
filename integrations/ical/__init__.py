"""iCalendar, both ways: the feed netgoals publishes and the calendars people subscribe it to."""
