"""The Celery app, its beat schedule and its tasks: thin shells that call one `service` function each.

Run with `celery -A worker.app worker` and `celery -A worker.app beat` (or `netgoals serve`).
"""
