"""The Celery app, its beat schedule and its tasks: thin shells that call one `service` function each."""
