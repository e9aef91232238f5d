"""Typed settings read from the environment, without pydantic on the start-up path.

Every CLI command reads its settings first; pydantic-settings costs about 190 ms to import, more than
the rest of a small command. This loader keeps its behaviour for the types settings use: a field
`name` is read from `<PREFIX>NAME` (any case), a `validation_alias` replaces that name (without the
prefix), keyword arguments win over the environment, and values are converted to the annotation
(str, int, float, bool, Path, datetime, SecretStr, Literal, `X | None`). Any other annotation (lists,
models, timedelta...) is validated by pydantic, imported only when such a value is actually given,
and list/dict values from the environment are JSON, as with pydantic-settings.
"""

from __future__ import annotations

import json
import os
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_MISSING: Any = object()
_TRUE = {"1", "on", "t", "true", "y", "yes"}
_FALSE = {"0", "off", "f", "false", "n", "no"}


class SettingsError(ValueError):
    """A setting whose value cannot be used; the message names the variable."""


class SecretStr:
    """A string that does not show itself in reprs or logs (like pydantic's SecretStr)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretStr('**********')" if self._value else "SecretStr('')"

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __len__(self) -> int:
        return len(self._value)


@dataclass(frozen=True, slots=True)
class AliasChoices:
    """Names a field is also read by (keyword arguments and environment variables, no prefix)."""

    choices: tuple[str, ...]

    def __init__(self, *choices: str) -> None:
        object.__setattr__(self, "choices", choices)


@dataclass(frozen=True, slots=True)
class FieldInfo:
    default: Any = _MISSING
    default_factory: Callable[[], Any] | None = None
    description: str = ""
    validation_alias: str | AliasChoices | None = None
    bounds: tuple[tuple[str, float], ...] = ()  # ("ge", 1), ("lt", 10): numeric constraints


def Field(  # noqa: N802 - named like pydantic's, so field declarations read the same
    default: Any = _MISSING,
    *,
    default_factory: Callable[[], Any] | None = None,
    description: str = "",
    validation_alias: str | AliasChoices | None = None,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
) -> Any:
    bounds = tuple(
        (name, value) for name, value in (("ge", ge), ("gt", gt), ("le", le), ("lt", lt)) if value is not None
    )
    return FieldInfo(default, default_factory, description, validation_alias, bounds)


_BOUNDS: dict[str, tuple[Callable[[Any, float], bool], str]] = {
    "ge": (lambda v, b: v >= b, "greater than or equal to"),
    "gt": (lambda v, b: v > b, "greater than"),
    "le": (lambda v, b: v <= b, "less than or equal to"),
    "lt": (lambda v, b: v < b, "less than"),
}


def _check_bounds(value: Any, bounds: tuple[tuple[str, float], ...]) -> None:
    if value is None:
        return
    for name, bound in bounds:
        holds, words = _BOUNDS[name]
        if not holds(value, bound):
            raise ValueError(f"{value!r} must be {words} {bound:g}")


@dataclass(frozen=True, slots=True)
class _Spec:
    name: str
    annotation: Any
    info: FieldInfo
    names: tuple[str, ...]  # lower-case environment names


class EnvSettings:
    """Subclass with annotated fields and `env_prefix=` in the class statement."""

    _fields: typing.ClassVar[dict[str, _Spec]] = {}
    _prefix: typing.ClassVar[str] = ""
    model_fields: typing.ClassVar[dict[str, FieldInfo]] = {}  # as pydantic names it: field -> info

    def __init_subclass__(cls, env_prefix: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._prefix = env_prefix or cls._prefix
        cls._fields = {}  # filled on first use: annotations may name types defined after the class
        cls.model_fields = {
            name: value if isinstance(value, FieldInfo) else FieldInfo(default=value)
            for name, annotation in cls.__annotations__.items()
            if not name.startswith("_") and "ClassVar" not in str(annotation)
            for value in (cls.__dict__.get(name, _MISSING),)
        }

    @classmethod
    def _specs(cls) -> dict[str, _Spec]:
        if not cls._fields:
            hints = typing.get_type_hints(cls)
            for name, annotation in hints.items():
                if typing.get_origin(annotation) is typing.ClassVar or name.startswith("_"):
                    continue
                value = cls.__dict__.get(name, _MISSING)
                for base in cls.__mro__[1:]:
                    if value is not _MISSING:
                        break
                    value = base.__dict__.get(name, _MISSING)
                info = value if isinstance(value, FieldInfo) else FieldInfo(default=value)
                alias = info.validation_alias
                if alias is None:
                    names: tuple[str, ...] = (f"{cls._prefix}{name}".lower(),)
                else:
                    names = tuple(
                        a.lower() for a in (alias.choices if isinstance(alias, AliasChoices) else (alias,))
                    )
                cls._fields[name] = _Spec(name, annotation, info, names)
        return cls._fields

    def __init__(self, **values: Any) -> None:
        environ = {k.lower(): v for k, v in os.environ.items()}
        defaulted: list[_Spec] = []
        self._sources: dict[str, str] = {}
        for spec in self._specs().values():
            given = _first(values, (spec.name, *spec.names))
            source = spec.name
            self._sources[spec.name] = "argument"
            if given is _MISSING:
                given = _first(environ, spec.names)
                source = spec.names[0].upper()
                self._sources[spec.name] = "environment"
                from_env = True
            else:
                from_env = False
            if given is _MISSING:
                value = _default(spec)
                defaulted.append(spec)
                self._sources[spec.name] = "default"
            else:
                value = _checked(spec, given, from_env, f"setting {source}")
            setattr(self, spec.name, value)
        # Below keyword arguments and the environment, above the defaults: stored values (a file).
        stored = self._stored_values() if defaulted else {}
        for spec in defaulted:
            if spec.name in stored:
                given, where = stored[spec.name]
                setattr(self, spec.name, _checked(spec, given, True, f"setting {spec.name} in {where}"))
                self._sources[spec.name] = where

    def source_of(self, name: str) -> str:
        """Where a field's value came from: "argument", "environment", a file's path, or "default"."""
        return self._sources[name]

    def _stored_values(self) -> dict[str, tuple[Any, str]]:
        """Field name -> (value, where it is stored) for fields neither given nor in the
        environment; a subclass reads them from its files (the fields read so far are set)."""
        return {}

    def model_dump(self) -> dict[str, Any]:  # (fields only, not where they came from)
        """Every field's value (as pydantic's model_dump): `Settings(**s.model_dump(), x=...)` copies."""
        return {name: getattr(self, name) for name in self._specs()}

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._specs())
        return f"{type(self).__name__}({shown})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(getattr(self, n) == getattr(other, n) for n in self._specs())

    __hash__ = None  # type: ignore[assignment]  # mutable, like a pydantic model


def _checked(spec: _Spec, given: Any, from_env: bool, what: str) -> Any:
    try:
        value = _convert(spec.annotation, given, from_env)
        _check_bounds(value, spec.info.bounds)
    except (ValueError, TypeError) as exc:
        raise SettingsError(f"{what}: {exc}") from None
    return value


def _first(source: dict[str, Any], names: Iterable[str]) -> Any:
    for name in names:
        if name in source:
            return source[name]
    return _MISSING


def _default(spec: _Spec) -> Any:
    if spec.info.default_factory is not None:
        return spec.info.default_factory()
    if spec.info.default is _MISSING:
        raise SettingsError(f"setting {spec.names[0].upper()} is required")
    return spec.info.default


def _convert(annotation: Any, value: Any, from_env: bool) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        if value is None and len(options) < len(typing.get_args(annotation)):
            return None
        errors = []
        for option in options:
            try:
                return _convert(option, value, from_env)
            except (ValueError, TypeError) as exc:
                errors.append(str(exc))
        raise ValueError("; ".join(errors))
    if origin is typing.Literal:
        allowed = typing.get_args(annotation)
        if value not in allowed:
            raise ValueError(f"{value!r} is not one of {', '.join(map(repr, allowed))}")
        return value
    simple = _SIMPLE.get(annotation)
    if simple is not None:
        return simple(value)
    return _with_pydantic(annotation, value, from_env)


def _to_str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {value!r}")
    return value


def _to_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"expected a whole number, got {value!r}")
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"expected a whole number, got {value!r}") from None


def _to_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"expected a number, got {value!r}")
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"expected a number, got {value!r}") from None


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _to_path(value: Any) -> Path:
    if not isinstance(value, str | os.PathLike):
        raise TypeError(f"expected a path, got {value!r}")
    return Path(value)


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        text = value.strip()
        try:
            return datetime.fromtimestamp(float(text), UTC)
        except ValueError:
            pass
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"expected an ISO date and time, got {value!r}") from None
    raise TypeError(f"expected a date and time, got {value!r}")


def _to_secret(value: Any) -> SecretStr:
    if isinstance(value, SecretStr):
        return value
    return SecretStr(_to_str(value))


_SIMPLE: dict[Any, Callable[[Any], Any]] = {
    str: _to_str,
    int: _to_int,
    float: _to_float,
    bool: _to_bool,
    Path: _to_path,
    datetime: _to_datetime,
    SecretStr: _to_secret,
}


def _with_pydantic(annotation: Any, value: Any, from_env: bool) -> Any:
    """Everything else, as pydantic-settings would: complex values in the environment are JSON."""
    from pydantic import TypeAdapter

    if from_env and isinstance(value, str) and typing.get_origin(annotation) in (list, dict, set, tuple):
        value = json.loads(value)
    return TypeAdapter(annotation).validate_python(value)
