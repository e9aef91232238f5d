"""Hostile HTTP servers on loopback, on raw sockets (http.server would not misbehave for us): each
accepted connection is handed to a behaviour that reads the request and then drips bytes, floods,
or sends a gzip bomb. Each server keeps what it was asked and how much it managed to send."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

Behaviour = Callable[[socket.socket, "Hostile"], None]


@dataclass
class Hostile:
    host: str
    port: int
    requests: list[bytes] = field(default_factory=list)
    sent: int = 0  # bytes the behaviours got into the socket
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def send(self, conn: socket.socket, data: bytes) -> None:
        conn.sendall(data)
        with self.lock:
            self.sent += len(data)


def read_request(conn: socket.socket) -> bytes:
    """The request head and as much of a Content-Length body as was sent."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            while len(body) < int(value):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                body += chunk
    return head + b"\r\n\r\n" + body


def drip_headers(every: float = 0.2, lasting: float = 30.0) -> Behaviour:
    """A status line, then one header byte at a time, each well inside any per-read timeout."""

    def behave(conn: socket.socket, server: Hostile) -> None:
        server.send(conn, b"HTTP/1.1 200 OK\r\n")
        end = time.monotonic() + lasting
        while time.monotonic() < end:
            server.send(conn, b"X")
            time.sleep(every)

    return behave


def drip_body(every: float = 0.2, lasting: float = 30.0) -> Behaviour:
    def behave(conn: socket.socket, server: Hostile) -> None:
        server.send(conn, b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nContent-Length: 100000\r\n\r\n")
        end = time.monotonic() + lasting
        while time.monotonic() < end:
            server.send(conn, b"B")
            time.sleep(every)

    return behave


def flood(total: int, status: int = 200) -> Behaviour:
    """An answer of `total` bytes sent as fast as the reader takes them (chunked, no length)."""

    def behave(conn: socket.socket, server: Hostile) -> None:
        server.send(conn, f"HTTP/1.1 {status} OK\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
        chunk = b"A" * 65536
        framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        for _ in range(total // len(chunk)):
            server.send(conn, framed)
        server.send(conn, b"0\r\n\r\n")

    return behave


def gzip_bomb(decoded: int) -> Behaviour:
    """`decoded` bytes of zeros, gzip-compressed (about a thousandth of that on the wire)."""
    body = gzip.compress(b"\0" * decoded, compresslevel=9)

    def behave(conn: socket.socket, server: Hostile) -> None:
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nContent-Encoding: gzip\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        server.send(conn, head.encode() + body)

    return behave


def encoded(body: bytes, encoding: str) -> Behaviour:
    """`body` as it is, declared as `encoding`."""

    def behave(conn: socket.socket, server: Hostile) -> None:
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nContent-Encoding: {encoding}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        server.send(conn, head.encode() + body)

    return behave


@contextmanager
def hostile_server(behave: Behaviour, host: str = "127.0.0.1", port: int = 0) -> Iterator[Hostile]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(16)
    listener.settimeout(0.05)
    server = Hostile(host, listener.getsockname()[1])
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        with conn:
            try:
                request = read_request(conn)
                with server.lock:
                    server.requests.append(request)
                behave(conn, server)
            except OSError:
                pass  # the client gave up, as it should

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(None)
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
