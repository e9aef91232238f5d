"""Invariant 3 under contention: decisions on ONE profile stream wait for each other, so every one
of many concurrent writers succeeds and the profile holds every change (both engines)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import Engine

from domain.decisions import ContactSpec
from service.access import users
from service.app import App
from service.people import contacts

WRITERS, EACH = 8, 25


def test_concurrent_contact_adds_to_one_user_all_succeed(
    engine: Engine, make_app: Callable[[Engine], App]
) -> None:
    app = make_app(engine)
    user_id = users.register(app, "busy@example.com", "Europe/Berlin").user_id
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []
    added: list[str] = []

    def write(writer: int) -> None:
        start.wait()  # all writers begin together: the most contention one stream can see
        for n in range(EACH):
            try:
                added.append(contacts.add_contact(app, user_id, ContactSpec(name=f"Contact {writer}-{n}")))
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(added) == WRITERS * EACH
    profile = app.profile(user_id)
    assert sorted(profile.contacts) == sorted(added)
    assert profile.version == 1 + WRITERS * EACH  # registration, then one event per contact
    listed = {c.contact_id for c, _seen in contacts.list_contacts(app, user_id)}
    assert listed == set(added)  # and the projection shows them all
