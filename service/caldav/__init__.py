"""CalDAV use cases: connect (discovery, the calendars to read and the one to plan into), sync
(pull with `domain.calendars.crediting`, plan with the planner Google uses, push the outbox with
preconditions), and polling by the workers with backoff. The provider is
`integrations.caldav.provider.CalDAVProvider` behind `domain.calendars.calendar_port`."""
