"""Real receivers for progress updates: an SMTP server (aiosmtpd) and an HTTP webhook endpoint,
both in the test process, both keeping what they were sent."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class MailBox:
    """What the SMTP server accepted; addresses in `refuse` are answered 550; while `hold` is
    closed, messages are answered only once it opens (a mail server that keeps the sender waiting)."""

    messages: list[EmailMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)  # the bytes as they came, for header checks
    refuse: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    hold: threading.Event | None = None
    delay: float = 0.0  # seconds before each message is answered (a slow mail server)
    peers: list[Any] = field(default_factory=list)  # the connection each message came on

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        if self.hold is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.hold.wait, 60)
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.peers.append(session.peer)
            self.messages.append(message)
            self.raw.append(raw)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:  # aiosmtpd's controller cannot be given port 0
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    def __init__(self) -> None:
        self.box = MailBox()
        self.port = _free_port()
        self.controller = Controller(self.box, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        self.running = True
        return self

    def stop(self) -> None:
        """Take the server away (it cannot be started again: make a new one)."""
        if self.running:
            self.controller.stop()
            self.running = False

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


class WebhookReceiver:
    """Answers each POST with the next status in `statuses` (then 200), and keeps every request."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.statuses: list[int] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"
