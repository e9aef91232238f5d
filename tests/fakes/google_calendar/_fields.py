"""Google's `fields=` partial-response syntax: `a,b/c,items(id,start/dateTime),*`."""

from __future__ import annotations

import re
from typing import Any

from ._util import bad_request

# A selection tree: field name -> sub-selection; an empty dict selects the whole value.
Selection = dict[str, "Selection"]

_NAME = re.compile(r"[A-Za-z0-9_@$.\-*]+")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text.replace(" ", "")
        self.pos = 0

    def error(self) -> Exception:
        return bad_request(f"Invalid field selection {self.text}", "invalidParameter")

    def parse(self) -> Selection:
        tree = self.fields()
        if self.pos != len(self.text):
            raise self.error()
        return tree

    def fields(self) -> Selection:
        tree: Selection = {}
        while True:
            _merge(tree, self.field())
            if self.pos < len(self.text) and self.text[self.pos] == ",":
                self.pos += 1
                continue
            return tree

    def name(self) -> str:
        match = _NAME.match(self.text, self.pos)
        if not match:
            raise self.error()
        self.pos = match.end()
        return match.group(0)

    def field(self) -> Selection:
        path = [self.name()]
        while self.pos < len(self.text) and self.text[self.pos] == "/":
            self.pos += 1
            path.append(self.name())
        sub: Selection = {}
        if self.pos < len(self.text) and self.text[self.pos] == "(":
            self.pos += 1
            sub = self.fields()
            if self.pos >= len(self.text) or self.text[self.pos] != ")":
                raise self.error()
            self.pos += 1
        for name in reversed(path):
            sub = {name: sub}
        return sub


def _merge(into: Selection, other: Selection) -> None:
    for key, sub in other.items():
        if key in into:
            if not into[key] or not sub:
                into[key] = {}
            else:
                _merge(into[key], sub)
        else:
            into[key] = sub


def parse_fields(text: str) -> Selection:
    return _Parser(text).parse()


def apply_fields(value: Any, selection: Selection) -> Any:
    """Keep only the selected parts of a JSON value (unknown selectors select nothing)."""
    if not selection:
        return value
    if isinstance(value, list):
        return [apply_fields(item, selection) for item in value]
    if isinstance(value, dict):
        if "*" in selection:
            return {k: apply_fields(v, selection["*"]) for k, v in value.items()}
        return {k: apply_fields(value[k], sub) for k, sub in selection.items() if k in value}
    return value
