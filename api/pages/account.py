"""Account pages: settings (time zone, week start, weekly budget), the history with filters and
paging, retracting a wrong entry (after a confirmation), export and import."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Annotated
from zoneinfo import available_timezones

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from api.pages.common import Session, optional_int, render, run_form, signed_in, to_signin
from service.access import users
from service.commands import DomainError, NotFoundError, parse_week_start
from service.operations import archive
from service.people import contacts
from service.read_models import history, records
from service.tracking import actions, goals

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=500)]
WEEK_STARTS = (("monday", "Monday"), ("sunday", "Sunday"), ("saturday", "Saturday"))
ZONES = sorted(
    z
    for z in available_timezones()
    if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/"))
)
KIND_NAMES = {
    "actions": "What you did",
    "calendar": "Calendar",
    "goals": "Goals and aspirations",
    "contacts": "Contacts",
    "account": "Account",
    "updates": "Progress updates",
}


# --- settings --------------------------------------------------------------------------------------


def _draw_settings(
    request: Request, session: Session, *, error: str | None = None, status: int = 200
) -> Response:
    user = session.app.user(session.user_id)
    zones = ZONES if user.timezone in ZONES else [user.timezone, *ZONES]
    return render(
        request,
        session,
        "settings.html",
        {
            "zones": zones,
            "week_starts": WEEK_STARTS,
            "week_start": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")[
                user.week_start
            ],
        },
        error=error,
        status=status,
    )


@router.get("/settings", response_class=HTMLResponse)
def settings(request: Request) -> Response:
    found = signed_in(request)
    return to_signin() if found is None else _draw_settings(request, found)


@router.post("/settings")
def save_settings(
    request: Request,
    csrf: Field = "",
    timezone: Field = "",
    week_start: Field = "",
    weekly_budget: Field = "",
) -> Response:
    def command(s: Session) -> str:
        users.change_settings(
            s.app,
            s.user_id,
            timezone=timezone.strip() or None,
            week_start=parse_week_start(week_start) if week_start.strip() else None,
            weekly_budget=optional_int(weekly_budget, "weekly budget"),
        )
        return "/settings?done=settings"

    values = (timezone, week_start, weekly_budget)
    return run_form(
        request, csrf, values, command, lambda s, e: _draw_settings(request, s, error=e, status=422)
    )


# --- history ---------------------------------------------------------------------------------------


def _filters(request: Request) -> dict[str, str]:
    wanted = ("kind", "goal", "contact", "source")
    return {k: request.query_params[k] for k in wanted if request.query_params.get(k)}


def _draw_history(
    request: Request, session: Session, *, error: str | None = None, status: int = 200
) -> Response:
    chosen = _filters(request)
    try:
        page = history.entries(
            session.app,
            session.user_id,
            kind=chosen.get("kind"),
            goal_id=chosen.get("goal"),
            contact_id=chosen.get("contact"),
            source=chosen.get("source"),
            limit=25,
            before=optional_int(request.query_params.get("before", ""), "page"),
        )
    except DomainError as exc:
        page, error, status = history.Page([], None), error or str(exc), 422
    return render(
        request,
        session,
        "history.html",
        {
            "page": page,
            "chosen": chosen,
            "kinds": KIND_NAMES,
            "sources": history.SOURCES,
            "goals": goals.list_goals(session.app, session.user_id, include_archived=True),
            "contacts": [c for c, _ in contacts.list_contacts(session.app, session.user_id)],
            "first_page": not request.query_params.get("before"),
        },
        error=error,
        status=status,
    )


@router.get("/history", response_class=HTMLResponse)
def history_page(request: Request) -> Response:
    found = signed_in(request)
    return to_signin() if found is None else _draw_history(request, found)


@router.get("/history/retract/{action_id}", response_class=HTMLResponse)
def confirm_retract(request: Request, action_id: str) -> Response:
    found = signed_in(request)
    if found is None:
        return to_signin()
    try:
        record = records.action(found.app, found.user_id, action_id)
    except NotFoundError:
        return render(request, found, "missing.html", {"what": "entry"}, status=404)
    when = record.at.astimezone(found.tz)
    return render(
        request,
        found,
        "are_you_sure.html",
        {
            "heading": "Retract this entry?",
            "body": f"“{history.action_words(record.kind).capitalize()}” on {when:%a %d %b %Y, %H:%M} "
            "will no longer "
            "count for your goals. The history keeps both the entry and its retraction.",
            "action": f"/history/retract/{record.action_id}",
            "button": "Retract it",
            "back": "/history",
            "already": record.retracted,
        },
    )


@router.post("/history/retract/{action_id}")
def retract(request: Request, action_id: str, csrf: Field = "") -> Response:
    def command(s: Session) -> str:
        actions.retract_action(s.app, s.user_id, action_id)
        return "/history?done=retracted"

    return run_form(request, csrf, (), command, lambda s, e: _draw_history(request, s, error=e, status=422))


# --- export and import ------------------------------------------------------------------------------


@router.get("/export")
def export(request: Request) -> Response:
    found = signed_in(request)
    if found is None:
        return to_signin()

    def body() -> Iterator[str]:
        for line in archive.export_lines(found.app, found.user_id):
            yield line + "\n"

    return StreamingResponse(
        body(),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="netgoals-export.jsonl"'},
    )


@router.post("/import")
def import_file(
    request: Request, csrf: Field = "", file: Annotated[UploadFile | None, File()] = None
) -> Response:
    def command(s: Session) -> str:
        if file is None or not file.filename:
            raise DomainError("choose an export file to upload")
        try:
            text = file.file.read().decode("utf-8")
        except UnicodeDecodeError:
            raise DomainError("the file is not text: upload a file that an export made") from None
        appended = archive.import_lines(s.app, io.StringIO(text), owner=s.user_id)
        return f"/history?done=imported&added={appended}"

    return run_form(request, csrf, (), command, lambda s, e: _draw_history(request, s, error=e, status=422))
