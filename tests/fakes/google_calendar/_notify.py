"""Delivery of push notifications (events.watch channels) from a background thread."""

from __future__ import annotations

import http.client
import queue
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Notification:
    """One delivery attempt of a push notification, as recorded by the fake."""

    channel_id: str
    address: str
    resource_state: str  # "sync" or "exists"
    message_number: int
    status: int | None  # HTTP status of the receiver's answer; None if it failed
    error: str | None


@dataclass(frozen=True)
class _Message:
    address: str
    headers: dict[str, str]
    channel_id: str
    resource_state: str
    message_number: int


class Notifier:
    """Sends notifications in order, one at a time; failures are recorded and otherwise ignored."""

    def __init__(self, timeout: float = 2.0) -> None:
        self.timeout = timeout
        self._queue: queue.Queue[_Message | None] = queue.Queue()
        self._done = threading.Condition()
        self._pending = 0
        self._log: list[Notification] = []
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="google-calendar-fake-notifier", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=self.timeout + 1)
            self._thread = None

    def send(
        self,
        address: str,
        headers: dict[str, str],
        *,
        channel_id: str,
        resource_state: str,
        message_number: int,
    ) -> None:
        with self._done:
            self._pending += 1
        self._queue.put(_Message(address, headers, channel_id, resource_state, message_number))

    @property
    def log(self) -> list[Notification]:
        with self._done:
            return list(self._log)

    def wait(self, count: int | None = None, timeout: float = 5.0) -> list[Notification]:
        """Wait until nothing is pending (and at least `count` deliveries were attempted)."""
        with self._done:
            self._done.wait_for(
                lambda: self._pending == 0 and (count is None or len(self._log) >= count),
                timeout=timeout,
            )
            return list(self._log)

    def _post(self, address: str, headers: dict[str, str]) -> int:
        """POST with the headers spelled exactly as given (urllib would re-case them)."""
        parts = urlsplit(address)
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(parts.netloc, timeout=self.timeout)
        try:
            target = parts.path or "/"
            if parts.query:
                target += "?" + parts.query
            connection.request("POST", target, body=b"", headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    def _run(self) -> None:
        while True:
            message = self._queue.get()
            if message is None:
                return
            status: int | None = None
            error: str | None = None
            try:
                status = self._post(message.address, message.headers)
                if status >= 300:
                    error = f"HTTP {status}"
            except Exception as exc:  # any failure is recorded and ignored
                error = f"{type(exc).__name__}: {exc}"
            record = Notification(
                message.channel_id,
                message.address,
                message.resource_state,
                message.message_number,
                status,
                error,
            )
            with self._done:
                self._log.append(record)
                self._pending -= 1
                self._done.notify_all()
