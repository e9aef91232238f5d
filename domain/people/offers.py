"""Offering help: what a contact is looking for ("needs") against what the person can offer.

Both are short text lists. A need matches an offer when they share a telling word (case- and
accent-blind, a plural matches its singular, small words like "on" or "a" never match)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from domain.errors import DomainError
from domain.people.contact_matching import fold_text

MAX_ITEMS: Final = 20
MAX_LENGTH: Final = 120
_SMALL_WORDS: Final = frozenset(
    {
        "a", "an", "the", "and", "or", "of", "on", "in", "for", "to", "with", "at", "by", "about",
        "some", "any", "my", "their", "his", "her", "our", "your", "someone", "help", "need", "needs",
        "looking", "want", "wants",
    }
)  # fmt: skip


def validate_list(items: Sequence[str], what: str) -> list[str]:
    """A short list of short texts, trimmed, without blanks or repeats (order kept)."""
    if len(items) > MAX_ITEMS:
        raise DomainError(f"too many {what}: {len(items)} (at most {MAX_ITEMS})")
    found: list[str] = []
    for item in items:
        text = " ".join(item.split())
        if not text:
            raise DomainError(f"an empty entry in {what}")
        if len(text) > MAX_LENGTH:
            raise DomainError(f"{what} entry {text[:30]!r}… is longer than {MAX_LENGTH} characters")
        if text.casefold() not in {f.casefold() for f in found}:
            found.append(text)
    return found


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def words(text: str) -> frozenset[str]:
    return frozenset(
        _stem(w) for w in fold_text(text.replace("-", " ").replace("/", " ")).split() if w not in _SMALL_WORDS
    )


def matches(needs: Iterable[str], offers: Iterable[str]) -> list[tuple[str, str, frozenset[str]]]:
    """(need, offer, shared words) for every pair that shares a telling word, most shared first."""
    offered = [(o, words(o)) for o in offers]
    found = []
    for need in needs:
        wanted = words(need)
        for offer, have in offered:
            shared = wanted & have
            if shared:
                found.append((need, offer, shared))
    found.sort(key=lambda m: (-len(m[2]), m[0].casefold(), m[1].casefold()))
    return found
