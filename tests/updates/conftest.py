"""Fixtures: a real app on SQLite or PostgreSQL with one person and goals, a real SMTP server and a
real webhook receiver, and the update context wired to them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from domain.decisions import GoalSpec
from service.access import users
from service.app import App
from service.settings import Settings
from service.tracking import goals
from service.updates import Updates, confirm_address, set_channel
from tests.conftest import FixedClock
from tests.updates.receivers import MailBox, SmtpServer, WebhookReceiver

CONFIRM_LINK = re.compile(r"https://netgoals\.test(/updates/confirm-email\?token=\S+)")


@dataclass
class World:
    app: App
    ctx: Updates
    user_id: str
    clock: FixedClock
    smtp: SmtpServer
    hooks: WebhookReceiver


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


def make_settings(home: Path, smtp_port: int, database_url: str, **extra: object) -> Settings:
    return Settings(
        home=home,
        database_url=database_url,
        secret_key="test-secret-key-for-updates",  # type: ignore[arg-type]
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_security="none",
        mail_from="netgoals <updates@netgoals.test>",
        allow_private_targets=True,
        public_url="https://netgoals.test",
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def world(
    tmp_path: Path,
    engine: Engine,
    clock: FixedClock,
    smtp_server: SmtpServer,
    webhook_receiver: WebhookReceiver,
) -> World:
    """Ada in Berlin on Wednesday 25 November 2026, with a monthly event goal and a weekly outreach goal."""
    clock.set("2026-11-25T10:00:00+00:00")
    app = App(engine, clock)
    user_id = users.register(app, "ada@example.org", "Europe/Berlin").user_id
    goals.set_goal(
        app, user_id, GoalSpec(template="monthly-event", start=datetime(2026, 11, 1, tzinfo=UTC).date())
    )
    settings = make_settings(
        tmp_path, smtp_server.port, str(engine.url.render_as_string(hide_password=False))
    )
    return World(app, Updates.open(settings), user_id, clock, smtp_server, webhook_receiver)


def confirmation_path(box: MailBox, address: str) -> str:
    """The link (path and token) in the confirmation mail `address` was sent last."""
    message = next(m for m in reversed(box.messages) if m["To"] == address)
    assert message["Subject"] == "Confirm your address for netgoals updates", message["Subject"]
    found = CONFIRM_LINK.search(message.get_body(("plain",)).get_content())
    assert found, message
    return found[1]


def choose_email(app: App, ctx: Updates, box: MailBox, user_id: str, address: str, **options: bool) -> None:
    """Choose email updates to `address` and confirm it from the mail it got, as its owner would;
    the mailbox is emptied after."""
    set_channel(app, ctx, user_id, "email", email=address, **options)
    confirm_address(app, ctx, confirmation_path(box, address).partition("token=")[2])
    box.messages.clear()
    box.raw.clear()
