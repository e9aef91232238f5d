"""Calendars: the calendar port, attendance (Google's and iCalendar's), the one crediting rule,
planning goals into free time, planned blocks and their confirmation, the feed."""
