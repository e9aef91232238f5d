"""Send email over SMTP and say what happened, without raising for the ordinary failures
(refused recipient, server down, timeout): the caller records the outcome and retries later.

A `Session` sends a batch over one connection (one handshake, one TLS negotiation, one login), and
the TLS context is made once per process and kind: loading the CA store per email cost more CPU
than everything else about sending it. A mail with a text and an HTML part (every update, every
digest) is written straight to the bytes the email package would write (`_wire`): building and
flattening an `EmailMessage` was a fifth of a digest decision's CPU (issue 26)."""

from __future__ import annotations

import contextlib
import random
import re
import smtplib
import ssl
import sys
from dataclasses import dataclass
from email.contentmanager import _encode_text  # type: ignore[attr-defined]
from email.headerregistry import BaseHeader
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate, getaddresses
from functools import cache, lru_cache
from types import TracebackType

SECURITY = ("starttls", "tls", "none")


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    security: str = "starttls"  # starttls | tls | none
    username: str | None = None
    password: str | None = None
    timeout: float = 20.0
    verify: bool = True  # check the server's certificate (off only for a local test server)


@dataclass(frozen=True, slots=True)
class Mail:
    sender: str
    to: str
    subject: str
    text: str
    html: str | None
    message_id: str  # stable per update: a resend carries the same id, so mail clients merge them
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    delivered: bool
    detail: str  # "delivered", or why not, in words a person can act on
    permanent: bool = False  # retrying will not help (the address was refused)


# Headers whose value is a list of <URL>s that mail clients read as links (RFC 2369, RFC 8058): the
# default policy folds a long URL into RFC 2047 encoded words, which no client reads as a link.
_URL_HEADERS = frozenset({"list-unsubscribe", "list-unsubscribe-post"})


class _MailPolicy(EmailPolicy):
    """The default policy with CRLF line ends, except that URL headers are written as one plain
    ASCII line (a URL is ASCII and far below RFC 5322's 998-octet line limit)."""

    def _plain(self, name: str, value: str | BaseHeader) -> str | None:
        text = str(value)
        if name.lower() in _URL_HEADERS and text.isascii() and len(name) + len(text) + 2 <= 998:
            return f"{name}: {text}{self.linesep}"
        return None

    def fold(self, name: str, value: str) -> str:
        return self._plain(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        plain = self._plain(name, value)
        return plain.encode("ascii") if plain is not None else super().fold_binary(name, value)


POLICY = _MailPolicy(linesep="\r\n")


def _message(mail: Mail) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = mail.sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = mail.message_id
    for name, value in mail.headers:
        message[name] = value
    message.set_content(mail.text)
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html")
    return message


# What `_wire` writes itself; anything else goes through the email package. A header value of
# printable ASCII words that fits a line is written as it is; a plain address (To) and a message id
# (Message-ID) likewise. Their parsed and refolded forms are the same text.
_PLAIN_VALUE = re.compile(r"[!-~]+(?: [!-~]+)*")
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")
_PLAIN_ID = re.compile(r"<[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*>")
_UNSTRUCTURED = frozenset({"x-netgoals-delivery", *_URL_HEADERS})
_MULTIPART = "multipart/alternative"
_LINE = 78  # the policy's max_line_length
_TOKEN_WIDTH = len(repr(sys.maxsize - 1))  # the email generator's boundary width
_FROM_LINE = re.compile(r"^From ", re.MULTILINE)
_LINE_END = re.compile(r"\r\n|\r|\n")


@lru_cache(maxsize=256)
def _folded(name: str, value: str) -> bytes:
    """One header line as the email package writes it (the sender, a digest's subject and a
    minute's Date repeat across a batch: parsed and folded once)."""
    header = POLICY.header_store_parse(name, value)[1]
    return POLICY.fold_binary(name, header)


@lru_cache(maxsize=64)
def _address(sender: str) -> str:
    """The envelope sender smtplib takes from the From header."""
    return getaddresses([str(POLICY.header_store_parse("From", sender)[1])])[0][1]


def _header(name: str, value: str) -> bytes:
    key = name.lower()
    fits = len(name) + 2 + len(value) <= (998 if key in _URL_HEADERS else _LINE)
    if fits and "=?" not in value:
        if key in _UNSTRUCTURED and _PLAIN_VALUE.fullmatch(value):
            return f"{name}: {value}\r\n".encode("ascii")
        plain = _PLAIN_ADDRESS if key == "to" else _PLAIN_ID if key == "message-id" else None
        if plain is not None and plain.fullmatch(value):
            return f"{name}: {value}\r\n".encode("ascii")
    return _folded(name, value)


def _part(subtype: str, text: str, *, mime_version: bool) -> bytes:
    cte, payload = _encode_text(text, "utf-8", None, POLICY)
    head = f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: {cte}\r\n'
    if mime_version:  # the email package gives the part it adds as an alternative a MIME-Version
        head += "MIME-Version: 1.0\r\n"
    payload = _FROM_LINE.sub(">From ", payload)  # as smtplib's generator does (mbox-safe bodies)
    body = "\r\n".join(_LINE_END.split(payload))  # the generator's line ends
    return (head + "\r\n" + body).encode("ascii", "surrogateescape")  # 8bit: the UTF-8 bytes


def _boundary(text: bytes) -> str:
    """The email generator's choice of boundary (`_make_boundary`: the same random draw and form),
    without compiling a pattern per mail when the parts cannot hold it."""
    token = "=" * 15 + f"{random.randrange(sys.maxsize):0{_TOKEN_WIDTH}d}" + "=="  # noqa: S311 - not a secret
    boundary, counter = token, 0
    if f"--{token}".encode("ascii") not in text:
        return boundary
    while re.search(b"^--" + re.escape(boundary.encode("ascii")) + b"(--)?$", text, re.MULTILINE):
        boundary, counter = f"{token}.{counter}", counter + 1
    return boundary


def _wire(mail: Mail) -> tuple[str, list[str], bytes] | None:
    """(envelope sender, recipients, bytes) as smtplib's `send_message(_message(mail))` sends them,
    for a mail with text and HTML to one plain ASCII address; None for any other (a confirmation
    mail, an address to parse), which the email package writes. `tests/unit/test_mail_wire.py`
    holds the two to the same bytes."""
    if mail.html is None or not _PLAIN_ADDRESS.fullmatch(mail.to):
        return None
    if any(name.lower() not in _UNSTRUCTURED for name, _ in mail.headers):
        return None  # a Sender, Cc or Bcc would change the envelope: the email package's path
    sender = _address(mail.sender)
    if not sender.isascii():
        return None  # SMTPUTF8: smtplib's own path
    parts = [_part("plain", mail.text, mime_version=False), _part("html", mail.html, mime_version=True)]
    boundary = _boundary(b"\r\n".join(parts))
    head = [
        _header("From", mail.sender),
        _header("To", mail.to),
        _header("Subject", mail.subject),
        _folded("Date", formatdate(localtime=False)),
        _header("Message-ID", mail.message_id),
        *(_header(name, value) for name, value in mail.headers),
        b"MIME-Version: 1.0\r\n",
        f'Content-Type: {_MULTIPART};\r\n boundary="{boundary}"\r\n\r\n'.encode("ascii"),
    ]
    marker = f"--{boundary}".encode("ascii")
    body = marker + b"\r\n" + (b"\r\n" + marker + b"\r\n").join(parts) + b"\r\n" + marker + b"--\r\n"
    return sender, [mail.to], b"".join(head) + body


@cache
def tls_context(verify: bool) -> ssl.SSLContext:
    """One context per process (and per verify choice): the CA store is read once."""
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class Session:
    """Several emails over one connection, opened at the first send and opened again after a
    failure that may have closed it. Use as a context manager; `send` never raises for the
    ordinary failures."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server
        self._client: smtplib.SMTP | None = None

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()

    def _connect(self) -> smtplib.SMTP:
        server = self.server
        context = tls_context(server.verify)
        client: smtplib.SMTP
        if server.security == "tls":
            client = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout, context=context)
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        try:
            if server.security == "starttls":
                client.starttls(context=context)
            if server.username:
                client.login(server.username, server.password or "")
        except BaseException:
            client.close()
            raise
        return client

    def send(self, mail: Mail) -> Outcome:
        server = self.server
        if server.security not in SECURITY:
            return Outcome(False, f"unknown SMTP security {server.security!r}", permanent=True)
        try:
            if self._client is None:
                self._client = self._connect()
            try:
                wire = _wire(mail)
                if wire is None:
                    refused = self._client.send_message(_message(mail))
                else:
                    refused = self._client.sendmail(*wire)
            except smtplib.SMTPRecipientsRefused:
                self._client.rset()  # the connection is fine; the next mail starts clean
                raise
        except smtplib.SMTPRecipientsRefused as exc:
            code, reason = next(iter(exc.recipients.values()))
            return Outcome(
                False, f"the mail server refused {mail.to}: {code} {_text(reason)}", permanent=code >= 500
            )
        except smtplib.SMTPResponseException as exc:
            self._drop()
            return Outcome(
                False,
                f"the mail server answered {exc.smtp_code} {_text(exc.smtp_error)}",
                exc.smtp_code >= 500,
            )
        except smtplib.SMTPException as exc:
            self._drop()
            return Outcome(False, f"SMTP failed: {exc.__class__.__name__}")
        except (OSError, TimeoutError) as exc:  # refused, unreachable, timed out, TLS errors
            self._drop()
            return Outcome(False, f"cannot reach the mail server {server.host}:{server.port}: {_why(exc)}")
        if refused:
            return Outcome(False, f"the mail server refused {', '.join(refused)}", permanent=True)
        return Outcome(True, "delivered")

    def _drop(self) -> None:
        """After an error the connection's state is unknown: the next send opens a new one."""
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(OSError):
                client.close()


def send(server: SmtpServer, mail: Mail) -> Outcome:
    """One email on its own connection."""
    with Session(server) as session:
        return session.send(mail)


def _text(reason: bytes | str) -> str:
    return reason.decode(errors="replace") if isinstance(reason, bytes) else reason


def _why(exc: BaseException) -> str:
    return str(exc) or exc.__class__.__name__
