"""The dashboard's one-pass assessment: one card per contact not yet rated — strength 1-5, tags,
keep-in-touch cadence, which aspirations they can help with — saved, or skipped to come back later.

Plain forms in tab order, the first strength choice focused, access keys for save and skip; no
JavaScript. Skipped contacts ride along in the query string, so skipping needs no server state."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.pages.common import Session, checked, network_page, session_or_signin
from service.app import App
from service.commands import DomainError, Rating
from service.people import network_assess

router = APIRouter(include_in_schema=False)
_MAX_SKIPPED = 200  # a query string stays a sensible size


def _skipped(text: str) -> list[str]:
    found = []
    for part in text.split(",")[:_MAX_SKIPPED]:
        try:
            found.append(str(UUID(part.strip())))
        except ValueError:
            continue  # a stale or hand-edited link: ignore what is not an id
    return found


def _card_page(
    request: Request, session: Session, after: str | None, skipped: list[str], error: str | None = None
) -> Response:
    app, user_id = session.app, session.user_id
    card = network_assess.next_card(app, user_id, after, frozenset(skipped))
    if card is not None and card.contact.contact_id in skipped:
        card = None  # only skipped ones are left: the pass is over, they wait for the next
    status = 422 if error else 200
    left = len(network_assess.unrated(app, user_id)) if card is None else card.remaining
    context = {"card": card, "skipped": ",".join(skipped), "error": error, "left": left}
    if card is not None:
        context["skip_url"] = "/network/assess?" + urlencode(
            {"after": card.contact.contact_id, "skipped": ",".join([*skipped, card.contact.contact_id])}
        )
    context["saved"] = request.query_params.get("saved")
    return network_page(request, session, "network_assess.html", context, status)


@router.get("/network/assess")
def assess_page(
    request: Request,
    after: Annotated[str, Query(max_length=100)] = "",
    skipped: Annotated[str, Query(max_length=8000)] = "",
) -> Response:
    found = session_or_signin(request)
    if isinstance(found, Response):
        return found
    return _card_page(request, found, after or None, _skipped(skipped))


@router.post("/network/assess/{contact_id}")
def rate(
    request: Request,
    contact_id: UUID,
    csrf: Annotated[str, Form(max_length=300)] = "",
    strength: Annotated[str, Form(max_length=5)] = "",
    tags: Annotated[str, Form(max_length=1000)] = "",
    cadence_days: Annotated[str, Form(max_length=10)] = "",
    helps_with: Annotated[list[str] | None, Form()] = None,
    skipped: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    found = checked(request, csrf)
    if isinstance(found, Response):
        return found
    app, user_id = found.app, found.user_id
    passed = _skipped(skipped)
    try:
        if strength not in {"1", "2", "3", "4", "5"}:
            raise DomainError("choose a strength from 1 (weak) to 5 (strong), or skip this contact")
        cadence = cadence_days.strip()
        if cadence and not cadence.isdigit():
            raise DomainError("keep in touch every how many days: a whole number")
        rating = Rating(
            int(strength),
            tuple(t.strip() for t in tags.split(",") if t.strip()),
            int(cadence) if cadence else None,
            tuple(helps_with or ()),
        )
        network_assess.rate_contact(app, user_id, str(contact_id), rating)
    except DomainError as exc:
        # show the same card again with the reason
        return _card_page(request, found, _before(app, user_id, str(contact_id)), passed, str(exc))
    query = urlencode({"after": str(contact_id), "skipped": ",".join(passed), "saved": "1"})
    return RedirectResponse(f"/network/assess?{query}", status_code=303)


def _before(app: App, user_id: str, contact_id: str) -> str | None:
    """The contact before this one in the queue, so that the next card is this one again."""
    ids = [c.contact_id for c, _ in network_assess.unrated(app, user_id)]
    if contact_id not in ids:
        return None
    return ids[ids.index(contact_id) - 1]
