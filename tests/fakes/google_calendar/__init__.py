"""A Google Calendar v3 + Google OAuth 2.0 fake for tests: a real local HTTP server.

The real google-api-python-client and google-auth-oauthlib run against it unchanged::

    with GoogleCalendarFake() as fake:
        fake.add_user("ada@example.org")
        flow = Flow.from_client_config(fake.client_config(), scopes=[...],
                                       redirect_uri="http://127.0.0.1:9/callback")
        ...  # OAUTHLIB_INSECURE_TRANSPORT=1 is needed for http:// endpoints
        service = build("calendar", "v3", credentials=creds, static_discovery=True,
                        client_options={"api_endpoint": fake.api_url})

Control HTTP API (JSON bodies and answers; not logged in `requests`, no faults):

    GET    /_control/state
    POST   /_control/users                                  {email, time_zone?}
    POST   /_control/current_user                           {email}
    POST   /_control/settings                               {max_page_size?, require_pkce?,
                                                             require_state?, deny_consent?,
                                                             latency?}
    GET    /_control/overlap           DELETE /_control/overlap   (most requests answered at once)
    POST   /_control/faults                                 {kind, method?, path?, count?,
                                                             delay?, body?}
    DELETE /_control/faults
    GET    /_control/requests          DELETE /_control/requests
    GET    /_control/notifications
    POST   /_control/expire_access_tokens                   {email?}
    POST   /_control/advance_clock                          {seconds}
    POST   /_control/users/{email}/revoke_access
    GET    /_control/users/{email}/calendars
    POST   /_control/users/{email}/calendars                {summary, id?, time_zone?}
    POST   /_control/users/{email}/calendars/{cal}/expire_sync_tokens
    GET    /_control/users/{email}/calendars/{cal}/events
    POST   /_control/users/{email}/calendars/{cal}/events   {event resource}
    GET    /_control/users/{email}/calendars/{cal}/events/{id}
    PATCH  /_control/users/{email}/calendars/{cal}/events/{id}          {changes}
    DELETE /_control/users/{email}/calendars/{cal}/events/{id}
    POST   /_control/users/{email}/calendars/{cal}/events/{id}/move     {start, end?}
    POST   /_control/users/{email}/calendars/{cal}/events/{id}/cancel
    POST   /_control/users/{email}/calendars/{cal}/events/{id}/response {status}

`{cal}` may be "primary". Event times in control bodies are Calendar API EventDateTime objects.

Not supported: recurring-event exceptions (patching one instance; instance ids are only readable
through events.get/list), events.instances/import/quickAdd/move, calendars.clear, acl, colors,
settings, calendarList writes (answered 400 notSupportedByFake); the `timeZone` list parameter
(times are rendered in the event's or calendar's zone); id tokens (no `openid` id_token);
shared/public calendars of other users (freeBusy can read another fake user's primary calendar).
Incremental sync results are not restricted by the original full sync's timeMin/timeMax.
"""

from ._backend import FAULTS, RequestRecord
from ._notify import Notification
from ._server import GoogleCalendarFake

__all__ = ["FAULTS", "GoogleCalendarFake", "Notification", "RequestRecord"]
