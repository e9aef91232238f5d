"""`netgoals contact ...` with `contact import` attached: the group the command list loads."""

from __future__ import annotations

from cli.contact_import import contact_import
from cli.contacts import contact_app

contact_app.command("import")(contact_import)

__all__ = ["contact_app"]
