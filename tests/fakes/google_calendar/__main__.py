"""Run the fake standalone: python -m tests.fakes.google_calendar --port 8765."""

from __future__ import annotations

import argparse
import signal
import threading

from ._server import GoogleCalendarFake


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Google Calendar + OAuth fake")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--user", action="append", default=[], help="add a Google account (repeatable)")
    parser.add_argument("--time-zone", default="UTC", help="time zone of the added users")
    parser.add_argument("--page-size", type=int, default=None, help="cap events.list pages")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each OAuth/API answer")
    parser.add_argument("--client-id", default=None, help="OAuth client id to accept")
    parser.add_argument("--client-secret", default=None, help="OAuth client secret to accept")
    parser.add_argument(
        "--redirect-uri",
        action="append",
        default=[],
        help="allowed redirect URI besides loopback ones (repeatable)",
    )
    args = parser.parse_args(argv)

    fake = GoogleCalendarFake(args.host, args.port)
    fake.client_id = args.client_id or fake.client_id
    fake.client_secret = args.client_secret or fake.client_secret
    fake.add_client(fake.client_id, fake.client_secret, args.redirect_uri)
    for email in args.user or ["ada@example.org"]:
        fake.add_user(email, time_zone=args.time_zone)
    fake.latency = args.latency
    if args.page_size:
        fake.max_page_size = args.page_size
    fake.start()
    print(f"Google Calendar fake listening on {fake.base_url}", flush=True)
    print(f"# current user: {fake.current_user}; control API: {fake.base_url}/_control/state")
    print("export OAUTHLIB_INSECURE_TRANSPORT=1  # oauthlib refuses http:// otherwise")
    print("export OAUTHLIB_RELAX_TOKEN_SCOPE=1  # needed with include_granted_scopes, as with Google")
    print(f"export NETGOALS_GOOGLE_CLIENT_ID={fake.client_id}")
    print(f"export NETGOALS_GOOGLE_CLIENT_SECRET={fake.client_secret}")
    print(f"export NETGOALS_GOOGLE_AUTH_URI={fake.auth_uri}")
    print(f"export NETGOALS_GOOGLE_TOKEN_URI={fake.token_uri}")
    print(f"export NETGOALS_GOOGLE_REVOKE_URI={fake.revoke_uri}")
    print(f"export NETGOALS_GOOGLE_API_ENDPOINT={fake.api_url}")
    print(f"export NETGOALS_GOOGLE_BATCH_URI={fake.batch_uri}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
