"""Storage: the append-only event log, the projections and their views, accounts, the calendar
sync state and the migrations, on SQLAlchemy Core (SQLite by default, PostgreSQL to scale out)."""
