"""The web: FastAPI REST API under /api/v1, the server-rendered dashboard, the OAuth callback and
the Google push webhook. Speaks to `service` only."""
