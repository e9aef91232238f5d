"""Words for an update: plain text and HTML for mail (inline styles, no remote images, readable in
a phone's mail app), and JSON (or a Slack-compatible body) for webhooks."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from domain.progress_updates.updates import DIGEST
from integrations.mail.smtp import Mail
from integrations.storage.update_store import Delivery

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_templates.filters["when"] = lambda iso: datetime.fromisoformat(iso).strftime("%a %d %b, %H:%M")
_templates.filters["day"] = lambda iso: datetime.fromisoformat(iso).strftime("%a %d %b")
STATUS_WORDS = {
    "met": "met",
    "on-track": "on track",
    "behind": "behind",
    "missed": "missed",
    "paused": "paused",
    "upcoming": "not started",
}
_templates.globals["status_words"] = STATUS_WORDS


def _context(delivery: Delivery, dashboard: str, unsubscribe: str) -> dict[str, Any]:
    return {"u": delivery.payload, "dashboard": dashboard, "unsubscribe": unsubscribe}


def render_mail(delivery: Delivery, to: str, sender: str, dashboard: str, unsubscribe: str) -> Mail:
    name = "digest" if delivery.kind == DIGEST else "update"
    context = _context(delivery, dashboard, unsubscribe)
    return Mail(
        sender=sender,
        to=to,
        subject=delivery.payload["subject"],
        text=_templates.get_template(f"{name}.txt").render(context),
        html=_templates.get_template(f"{name}.html").render(context),
        message_id=f"<{delivery.delivery_id}@netgoals>",
        headers=(
            ("List-Unsubscribe", f"<{unsubscribe}>"),
            # RFC 8058: a POST of this body to the link unsubscribes at once (api/pages/updates.py).
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ("X-Netgoals-Delivery", delivery.delivery_id),
        ),
    )


def render_confirmation(delivery: Delivery, sender: str, link: str, days: int) -> Mail:
    """The one mail an address gets before it is confirmed: plain text, the link, nothing else."""
    email = delivery.payload["email"]
    text = _templates.get_template("confirm_email.txt").render({"email": email, "link": link, "days": days})
    return Mail(
        sender=sender,
        to=email,
        subject=delivery.payload["subject"],
        text=text,
        html=None,
        message_id=f"<{delivery.delivery_id}@netgoals>",
        headers=(("X-Netgoals-Delivery", delivery.delivery_id),),
    )


def render_text(delivery: Delivery, dashboard: str, unsubscribe: str) -> str:
    name = "digest" if delivery.kind == DIGEST else "update"
    return _templates.get_template(f"{name}.txt").render(_context(delivery, dashboard, unsubscribe))


def render_webhook(
    delivery: Delivery, body_format: str, timestamp: int, dashboard: str, unsubscribe: str
) -> bytes:
    if body_format == "slack":
        text = render_text(delivery, dashboard, unsubscribe)
        body: dict[str, Any] = {"text": f"*{delivery.payload['subject']}*\n{text}"}
    else:
        payload = {k: v for k, v in delivery.payload.items() if k != "key"}
        body = {
            "type": delivery.kind,
            "delivery_id": delivery.delivery_id,
            "change": delivery.update_key,
            "sent_at": timestamp,
            "dashboard": dashboard,
            "unsubscribe": unsubscribe,
            **payload,
        }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
