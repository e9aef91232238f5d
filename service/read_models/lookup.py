"""Find things the way people name them: a full id, a unique id prefix, or (for contacts, goals and
aspirations) a name or the unique start of one, in any case."""

from __future__ import annotations

from collections.abc import Iterable

from domain.errors import DomainError, NotFoundError

MIN_PREFIX = 4


def _ambiguous(what: str, text: str, names: list[str]) -> DomainError:
    shown = ", ".join(sorted(n for n in names if n)[:5])
    hint = f" ({shown})" if shown else ""
    return DomainError(f"{what} {text!r} is ambiguous: it matches {len(names)}{hint}; give more of it")


def resolve(text: str, candidates: Iterable[tuple[str, str]], what: str) -> str:
    """`candidates` are (id, name) pairs. In order: the exact id, a unique id prefix (4+ characters),
    the exact name, a unique name prefix; names compare case-insensitively."""
    text = text.strip()
    pairs = list(candidates)
    if not text:
        raise DomainError(f"give a {what}: its name or id")
    for candidate_id, _ in pairs:
        if candidate_id == text:
            return candidate_id
    wanted = text.lower()
    by_id = [(cid, n) for cid, n in pairs if len(text) >= MIN_PREFIX and cid.startswith(wanted)]
    by_name = [(cid, n) for cid, n in pairs if n and n.strip().lower() == wanted]
    by_start = [(cid, n) for cid, n in pairs if n and n.strip().lower().startswith(wanted)]
    for matches in (by_id, by_name, by_start):
        if len(matches) == 1:
            return matches[0][0]
        if matches:
            raise _ambiguous(what, text, [n for _, n in matches])
    named = "" if what == "action" else "named or "  # actions have no names
    raise NotFoundError(f"no {what} {named}with id {text!r}")
