"""The Celery app, configured from settings (NETGOALS_*): `celery -A worker.app worker|beat`."""

from __future__ import annotations

from service.operations.jobs import celery_app
from service.settings import Settings
from worker import observe, tasks
from worker.schedule import beat_schedule

settings = Settings()
app = celery_app(settings)
app.conf.beat_schedule = beat_schedule(settings)
tasks.register(app)
observe.connect()
