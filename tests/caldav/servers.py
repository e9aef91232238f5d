"""Real CalDAV servers on loopback for the tests: Radicale (htpasswd, bcrypt) and Xandikos (behind a
small TLS wrapper with a certificate made for 127.0.0.1), each in its own temp folder on a free port.

Each is a child process in its own session, stopped (SIGTERM, then SIGKILL) when the fixture ends.
`UnavailableError` says why a server cannot run here (a package missing); the fixtures turn it into a
skip, or a failure under NETGOALS_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

USER = "ada"
PASSWORD = "correct horse battery staple"


class UnavailableError(RuntimeError):
    """This server cannot run here; the message says why."""


@dataclass(frozen=True)
class Server:
    """A running CalDAV server: where it is, whom it knows, and the calendar home of that user."""

    name: str  # "radicale", "xandikos"
    base_url: str  # scheme://host:port/
    username: str
    password: str
    home_path: str  # the calendar home collection, e.g. /ada/
    ca_file: Path | None = None  # the certificate to trust for https
    data_dir: Path | None = None  # where Radicale keeps its collections (to make it forget tokens)

    @property
    def home_url(self) -> str:
        return self.base_url.rstrip("/") + self.home_path

    @property
    def verify(self) -> ssl.SSLContext | bool:
        """What httpx's `verify=` takes: a context trusting the made certificate, for https."""
        return ssl.create_default_context(cafile=str(self.ca_file)) if self.ca_file else True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _need(module: str, package: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise UnavailableError(f"{package} is not installed (pip install '.[test]')")


def _wait_listening(process: subprocess.Popen[bytes], port: int, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise UnavailableError(
                f"server exited with {process.returncode}: {log.read_text(errors='replace')[-1500:]}"
            )
        with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        if time.monotonic() > deadline:
            raise UnavailableError(
                f"server did not listen within {timeout}s: {log.read_text(errors='replace')[-1500:]}"
            )
        time.sleep(0.05)


@contextmanager
def _process(command: list[str], folder: Path, port: int, name: str) -> Iterator[subprocess.Popen[bytes]]:
    log = folder / f"{name}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_listening(process, port, log)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


# --- Radicale ------------------------------------------------------------------------------------


@contextmanager
def radicale(folder: Path) -> Iterator[Server]:
    """Radicale 3 with htpasswd (bcrypt) auth and owner-only rights; the user's home is /ada/."""
    _need("radicale", "radicale")
    _need("bcrypt", "bcrypt")
    import bcrypt

    folder.mkdir(parents=True, exist_ok=True)
    users = folder / "users"
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()  # cheap rounds: tests
    users.write_text(f"{USER}:{hashed}\n")
    port = free_port()
    config = folder / "config"
    config.write_text(
        f"""[server]
hosts = 127.0.0.1:{port}

[auth]
type = htpasswd
htpasswd_filename = {users}
htpasswd_encryption = bcrypt
delay = 0

[rights]
type = owner_only

[storage]
filesystem_folder = {folder / "collections"}

[logging]
level = warning
mask_passwords = True
"""
    )
    command = [sys.executable, "-m", "radicale", "--config", str(config)]
    with _process(command, folder, port, "radicale"):
        yield Server(
            "radicale",
            f"http://127.0.0.1:{port}/",
            USER,
            PASSWORD,
            f"/{USER}/",
            data_dir=folder / "collections",
        )


def forget_sync_tokens(server: Server, calendar_url: str) -> bool:
    """Make Radicale forget the sync tokens it gave out for one calendar, as it does when its cache
    is cleared: the next sync-collection with an old token (after a change) answers 403
    DAV:valid-sync-token. False where the server cannot be made to."""
    if server.name != "radicale" or server.data_dir is None:
        return False
    name = calendar_url.rstrip("/").rsplit("/", 1)[1]
    cache = server.data_dir / "collection-root" / server.username / name / ".Radicale.cache" / "sync-token"
    shutil.rmtree(cache, ignore_errors=True)
    return True


# --- Xandikos behind TLS -------------------------------------------------------------------------


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (and localhost), made with `cryptography`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


class TlsWrapper:
    """Terminates TLS on a loopback port and pipes the bytes to a plain TCP port (a thread per
    connection): what a reverse proxy in front of a self-hosted server does."""

    def __init__(self, target_port: int, cert_file: Path, key_file: Path) -> None:
        self.target_port = target_port
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert_file, key_file)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True, name="tls-wrapper")

    def __enter__(self) -> TlsWrapper:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stopped.set()
        with suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self._thread.join(5)

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                raw, _address = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        try:
            raw.settimeout(30)
            client = self.context.wrap_socket(raw, server_side=True)
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
        except (OSError, ssl.SSLError):
            raw.close()
            return
        threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()
        _pipe(client, upstream)


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for end in (source, sink):
            with suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            with suppress(OSError):
                end.close()


@contextmanager
def xandikos(folder: Path, tls: bool = True) -> Iterator[Server]:
    """Xandikos (single user, no auth of its own) with a calendar home at /ada/calendars/; over
    https through `TlsWrapper` with a certificate the client is told to trust."""
    _need("xandikos", "xandikos")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "xandikos",
        "serve",
        "--listen-address",
        "127.0.0.1",
        "--port",
        str(port),
        "--directory",
        str(folder / "data"),
        "--current-user-principal",
        f"/{USER}/",
        "--defaults",
        "--autocreate",
    ]
    with _process(command, folder, port, "xandikos"):
        if not tls:
            yield Server("xandikos", f"http://127.0.0.1:{port}/", USER, PASSWORD, f"/{USER}/calendars/")
            return
        cert_file, key_file = make_certificate(folder)
        with TlsWrapper(port, cert_file, key_file) as wrapper:
            server = Server(
                "xandikos",
                f"https://127.0.0.1:{wrapper.port}/",
                USER,
                PASSWORD,
                f"/{USER}/calendars/",
                ca_file=cert_file,
            )
            # The wrapper is only ready when a request through it succeeds.
            httpx.request(
                "PROPFIND", server.home_url, headers={"Depth": "0"}, verify=server.verify, timeout=10
            )
            yield server
