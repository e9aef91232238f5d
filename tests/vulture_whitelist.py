"""Names vulture cannot see used: read by a Jinja template, a serialiser, a framework or a library
by name. Never imported; vulture reads it (pyproject.toml [tool.vulture], tests/unit/test_dead_code.py).
Each line says who uses the name; remove a line when its user goes."""

from vulture.whitelist_utils import Whitelist

_ = Whitelist()

# Fields the templates in api/templates/ read.
_.target_y, _.actual_path, _.points  # api/pages/charts.py -> _charts.html
_.LABEL, _.strong, _.label_width  # api/pages/network_charts.py -> _charts.html
_.narrowed  # api/pages/network_list.py -> network.html
# service/read_models/dashboard.py -> dashboard.html
_.last_interaction, _.contact_count, _.calendar_paused_until
_.apple  # service/ical/tokens.py -> feeds.html
# Response model fields (pydantic serialises them; service/shapes/, api/schemas.py, api/rest/updates.py).
_.from_, _.strength_history, _.period_end, _.decided_at
_.asks_with_whom  # service/shapes/confirmations.py (a waiting block asks with whom)
_.bad_rows  # service/shapes/imports.py (contact import answer)
_.promise_ids  # service/shapes/next.py (an answer's promises)
# Set for a library that reads it.
_.caption  # rich's Table (cli/contact_import.py)
_.cursor_factory  # psycopg's connection (bench/scale.py, tests/api/test_unit_of_work.py)
_.isolation_level  # sqlite3's connection (integrations/storage/database.py)
_.lua_extend  # redbeat's lock (integrations/queue/beat.py)
_._pool  # httpx's HTTPTransport (integrations/outbound/guard.py)
_.connect_unix_socket  # httpcore's NetworkBackend interface (integrations/outbound/guard.py)
_.format_commands  # click's Group (cli/lazy.py)
_.Scheduler  # celery beat, by its dotted name (integrations/queue/celery_app.py)
_._rand  # googleapiclient's retry wait (tests/fakes/test_google_calendar_fake.py)
# smtplib's send_message calls it on the stand-in connection (tests/unit/test_mail_wire.py).
_.ehlo_or_helo_if_needed
# A row's columns as a record (integrations/storage/calendar_store/connections.py).
_.connected_at, _.updated_at
# Typer commands the lazy group loads by module and name (cli/lazy.py), and a callback's option.
_.init, _.demo, _.import_, _.show_version
# The iCal tests' World carries its goals' ids for tests to name (tests/ical/conftest.py).
_.outreach_goal, _.event_goal
# __exit__'s protocol arguments (tests/fakes/google_calendar/_server.py).
_.exc_type, _.tb
# http.server calls do_<METHOD> by the request's method (tests/caldav/quirks_proxy.py).
_.do_HEAD, _.do_OPTIONS, _.do_COPY, _.do_MKCALENDAR, _.do_MKCOL, _.do_MOVE, _.do_PROPFIND
_.do_PROPPATCH, _.do_REPORT
# The calendar port's "how do you keep current" (Freshness in domain/calendars/calendar_port.py): said by each
# provider, not read yet: the CalDAV poller keeps its own per-calendar schedule (service/caldav/context.py).
_.poll_seconds
