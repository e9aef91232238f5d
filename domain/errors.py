"""The domain's own exceptions: every one carries a message a person can act on."""


class DomainError(ValueError):
    """A command was rejected; nothing was appended."""


class NotFoundError(DomainError):
    """A command named something (a goal, a contact, an action) that does not exist for this user."""


class ConcurrencyError(Exception):
    """Another writer appended to the same stream first; re-read and decide again."""
