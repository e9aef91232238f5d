"""Reading an answer's body with a cap on its decoded size. The raw bytes are decoded here, a
bounded slice at a time (zlib's `max_length`), so a small gzip body cannot unpack a whole network
read's worth of output before it is counted — memory stays near the cap whatever the ratio."""

from __future__ import annotations

import zlib

import httpx

from integrations.outbound.guard import OutboundError

# What we ask for: anything else a server sends anyway is refused rather than guessed at.
ACCEPT_ENCODING = "gzip, deflate"


class TooLargeError(OutboundError):
    pass


class _Inflater:
    """gzip or zlib-wrapped deflate (and the raw deflate some servers send as "deflate")."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        self._inner = zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)
        self._started = False

    def feed(self, data: bytes, room: int) -> tuple[bytes, bytes]:
        """(at most `room` decoded bytes, the input not consumed yet)."""
        try:
            out = self._inner.decompress(data, room)
        except zlib.error:
            if self._gzip or self._started:
                raise
            self._inner = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate after all
            out = self._inner.decompress(data, room)
        self._started = True
        return out, self._inner.unconsumed_tail

    def flush(self, room: int) -> bytes:
        return self._inner.flush(room)


def read_capped(response: httpx.Response, limit: int, *, truncate: bool = False) -> bytes:
    """The decoded body, at most `limit` bytes: past it, TooLargeError (or, with `truncate`, what was
    read so far — the rest is dropped unread)."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
        raise OutboundError(f"the server sent an unsupported content encoding {encoding!r}")
    inflater = None if encoding in ("identity", "") else _Inflater(encoding)
    parts: list[bytes] = []
    size = 0

    def take(data: bytes) -> bool:
        """Keep `data`; False once the cap is reached."""
        nonlocal size
        room = limit - size
        if len(data) > room:
            if not truncate:
                raise TooLargeError(f"the answer is over the {limit:,}-byte limit")
            parts.append(data[:room])
            size = limit
            return False
        parts.append(data)
        size += len(data)
        return True

    try:
        for raw in response.iter_raw():
            if inflater is None:
                if not take(raw):
                    break
                continue
            pending = raw
            while pending:
                # One byte more than the room left: enough to tell "over the cap" from "at it".
                out, pending = inflater.feed(pending, limit - size + 1)
                if not take(out):
                    return b"".join(parts)
        else:
            if inflater is not None:
                take(inflater.flush(limit - size + 1))
    except zlib.error as exc:
        raise OutboundError(f"the answer's {encoding} encoding is broken ({exc})") from None
    return b"".join(parts)
