"""CalDAV (RFC 4791) as a calendar provider behind `domain.calendars.calendar_port`: discovery (RFC 6764),
changes by WebDAV sync (RFC 6578) with an ETag fallback, blocks written with preconditions, and
free-busy. The WebDAV is the `caldav` package's, every request of it through `integrations.outbound`
(deadline, size cap, address policy) by way of `transport.py`."""
