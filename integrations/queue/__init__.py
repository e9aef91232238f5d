"""Redis and Celery as netgoals uses them: the embedded Redis server, the Celery app's settings,
per-user locks, "already queued" marks that debounce work, the enqueue port, and the counters the
workers leave for `/metrics` and `netgoals status`.

Nothing here knows the database: a message only says "look at user X" (invariant 7 in
docs/architecture.md), and correctness never depends on a lock or a mark — they only save wasted work.
"""
