"""A goal, its ready-made templates, and the answer to setting one."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from domain.tracking.goals import TEMPLATES, Goal


class TargetOut(BaseModel):
    # "from" is a Python keyword: the field is from_, and JSON (API and CLI alike) says "from"
    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True, serialize_by_alias=True)

    from_: str = Field(alias="from")
    target: int


class GoalOut(BaseModel):
    goal_id: str
    title: str
    action: str
    target: int
    frame: str
    start: str
    deadline: str | None
    aspiration_id: str | None
    contact_ids: list[str]
    new_contacts_only: bool
    template: str | None
    paused: bool
    archived: bool
    targets: list[TargetOut]
    # the goal's own preferences; null: the default of its action kind
    duration_minutes: int | None = None
    days: list[str] | None = None
    hours: str | None = None
    keywords: list[str] | None = None
    domains: list[str] | None = None

    @classmethod
    def of(cls, goal: Goal) -> GoalOut:
        return cls(
            goal_id=goal.goal_id,
            title=goal.title,
            action=goal.action,
            target=goal.target,
            frame=goal.frame.value,
            start=goal.start.isoformat(),
            deadline=goal.deadline.isoformat() if goal.deadline else None,
            aspiration_id=goal.aspiration_id,
            contact_ids=list(goal.contact_ids),
            new_contacts_only=goal.new_contacts_only,
            template=goal.template,
            paused=goal.is_paused,
            archived=goal.archived_at is not None,
            targets=[TargetOut.model_validate({"from": d.isoformat(), "target": t}) for d, t in goal.targets],
            **goal.preferences.to_payload(),
        )


class GoalCreated(GoalOut):
    warnings: list[str]


class TemplateOut(BaseModel):
    name: str
    title: str
    action: str
    target: int
    frame: str
    description: str
    needs_contact: bool
    new_contacts_only: bool
    default_months: int | None


def templates() -> list[TemplateOut]:
    """The ready-made goals: monthly-event, weekly-outreach and mentor."""
    return [
        TemplateOut(
            name=t.name,
            title=t.title,
            action=t.action,
            target=t.target,
            frame=t.frame.value,
            description=t.description,
            needs_contact=t.needs_contact,
            new_contacts_only=t.new_contacts_only,
            default_months=t.default_months or None,
        )
        for t in TEMPLATES.values()
    ]
