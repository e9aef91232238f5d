"""A mail server for benchmarks, in its own process (so its CPU is not counted as ours): it accepts
everything and appends "<epoch seconds> <recipient> <subject>" to a file per message.

    python -m bench.smtp_sink PORT FILE
"""

from __future__ import annotations

import email
import email.policy
import sys
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class Recorder:
    def __init__(self, path: Path) -> None:
        self.out = path.open("a", buffering=1)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd calls it by this name
        message = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
        for to in envelope.rcpt_tos:
            self.out.write(f"{time.time():.3f} {to} {message['Subject']}\n")
        return "250 Message accepted"


def main() -> None:
    port, path = int(sys.argv[1]), Path(sys.argv[2])
    controller = Controller(Recorder(path), hostname="127.0.0.1", port=port)
    controller.start()
    threading.Event().wait()


if __name__ == "__main__":
    main()
