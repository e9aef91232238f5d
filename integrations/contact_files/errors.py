"""The one error a contact file raises: what is wrong, and on which line or card."""

from __future__ import annotations

from domain.errors import DomainError


class ContactFileError(DomainError):
    """The file cannot be read as a contacts export; nothing of it is imported."""
