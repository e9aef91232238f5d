"""The world outside, one folder per outside system: `storage/` (SQLAlchemy: the event log,
projections, views, migrations) and `google/` (OAuth and the Calendar API). A system's folder
imports `domain` and itself, never another system's folder; `service/` joins them."""
