"""Find things the way people name them: a full id, a unique id prefix, or (for contacts) a name."""

from __future__ import annotations

from collections.abc import Iterable

from domain.errors import DomainError, NotFoundError

MIN_PREFIX = 4


def resolve(text: str, candidates: Iterable[tuple[str, str]], what: str) -> str:
    """`candidates` are (id, name) pairs; names match case-insensitively and only when unique."""
    text = text.strip()
    pairs = list(candidates)
    for candidate_id, _ in pairs:
        if candidate_id == text:
            return candidate_id
    matches = [cid for cid, _ in pairs if len(text) >= MIN_PREFIX and cid.startswith(text.lower())]
    if not matches:
        matches = [cid for cid, name in pairs if name and name.strip().lower() == text.lower()]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise DomainError(f"{what} {text!r} is ambiguous: it matches {len(matches)}; give more of the id")
    raise NotFoundError(f"no {what} with id {text!r}")
