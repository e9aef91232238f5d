"""Our settings loader reads the environment exactly as pydantic-settings did (it replaced it to
start the CLI faster): the same variable names, aliases, precedence and conversions. The reference
model is built from Settings' own field list, so fields added later are compared too."""

from __future__ import annotations

import stat
import types
import typing
from pathlib import Path
from typing import Any

import pydantic
import pytest
from pydantic_settings import BaseSettings, SettingsConfigDict

from service import env_settings
from service.operations import served, settings_file
from service.settings import Settings, SettingsError


class _Reference(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NETGOALS_", extra="ignore")


def _pydantic_type(annotation: Any) -> Any:
    if annotation is env_settings.SecretStr:
        return pydantic.SecretStr
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = tuple(_pydantic_type(a) for a in typing.get_args(annotation))
        return typing.Union[args]  # noqa: UP007 - built at run time
    return annotation


def _reference_model() -> type[BaseSettings]:
    fields: dict[str, Any] = {}
    for name, spec in Settings._specs().items():
        info, alias = spec.info, spec.info.validation_alias
        if isinstance(alias, env_settings.AliasChoices):
            alias = pydantic.AliasChoices(*alias.choices)
        kwargs: dict[str, Any] = {"validation_alias": alias} if alias else {}
        kwargs.update(dict(info.bounds))
        if info.default_factory is not None:
            kwargs["default_factory"] = info.default_factory
        else:
            kwargs["default"] = info.default
        fields[name] = (_pydantic_type(spec.annotation), pydantic.Field(**kwargs))
    return pydantic.create_model("Reference", __base__=_Reference, **fields)


def _plain(value: Any) -> Any:
    if isinstance(value, env_settings.SecretStr | pydantic.SecretStr):
        return ("secret", value.get_secret_value())
    return value


def _assert_same(ours: Settings, reference: BaseSettings) -> None:
    for name in Settings._specs():
        assert _plain(getattr(ours, name)) == _plain(getattr(reference, name)), name


ENVIRONMENTS = [
    {},
    {
        "NETGOALS_HOME": "/tmp/netgoals-home",
        "NETGOALS_DATABASE_URL": "postgresql+psycopg://db/netgoals",
        "netgoals_user": "ada@example.org",  # any case, as pydantic-settings reads it
        "NETGOALS_NOW": "2026-11-28T10:00:00+01:00",
        "NETGOALS_SECRET_KEY": "a long passphrase",
        "NETGOALS_GOOGLE_CLIENT_SECRET": "shh",
        "NETGOALS_GOOGLE_NUM_RETRIES": "7",
        "NETGOALS_GOOGLE_API_ENDPOINT": "http://127.0.0.1:9/calendar/v3/",  # an alias
    },
    {"GOOGLE_API_URL": "http://fake/calendar/v3/", "NETGOALS_NOW": "2026-11-28T09:00:00Z"},
    {"NETGOALS_DATABASE_URL": "", "NETGOALS_PUBLIC_URL": "https://netgoals.example"},
    {"NETGOALS_WORKER_THREADS": "16", "NETGOALS_DB_POOL_SIZE": "4"},
]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_environment_reads_as_with_pydantic_settings(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in [k for k in __import__("os").environ if k.upper().startswith("NETGOALS_")]:
        monkeypatch.delenv(key)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    _assert_same(Settings(), _reference_model()())


def test_keyword_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETGOALS_USER", "from-env")
    monkeypatch.setenv("NETGOALS_GOOGLE_PLAN_WEEKS", "3")
    given = {
        "user": "given",
        "home": "/tmp/given",
        "google_client_secret": "s",
        "google_api_url": "http://x/",
    }
    ours = Settings(**given)
    _assert_same(ours, _reference_model()(**given))
    assert ours.home == Path("/tmp/given")
    assert ours.google_plan_weeks == 3


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("NETGOALS_GOOGLE_NUM_RETRIES", "many"),
        ("NETGOALS_NOW", "yesterday"),
        ("NETGOALS_GOOGLE_QUOTA_PAUSE", ""),
        ("NETGOALS_TASK_TIME_LIMIT", "1"),  # below its bound (ge=2)
        ("NETGOALS_WORKER_THREADS", "0"),  # a worker runs at least one task
        ("NETGOALS_WORKER_THREADS", "65"),  # and at most 64 at once
    ],
)
def test_a_bad_value_names_its_variable(variable: str, value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(pydantic.ValidationError):
        _reference_model()()
    with pytest.raises(SettingsError, match=variable):
        Settings()


def test_secrets_do_not_show_themselves() -> None:
    settings = Settings(secret_key="hunter2-hunter2", google_client_secret="shh")
    assert "hunter2" not in repr(settings)
    assert "shh" not in repr(settings)
    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == "hunter2-hunter2"


def test_the_loader_converts_the_types_fields_may_add() -> None:
    """Fields another change may add (flags, numbers, choices, lists) convert like pydantic's."""

    class Extra(env_settings.EnvSettings, env_prefix="X_"):
        flag: bool = False
        ratio: float = 1.0
        mode: typing.Literal["a", "b"] = "a"
        hosts: list[str] = env_settings.Field(default_factory=list)

    found = Extra(flag="yes", ratio="0.5", mode="b", hosts=["h1"])
    assert (found.flag, found.ratio, found.mode, found.hosts) == (True, 0.5, "b", ["h1"])
    with pytest.raises(SettingsError, match="mode"):
        Extra(mode="c")


def test_settings_copy_and_list_their_fields_as_pydantic_models_do() -> None:
    settings = Settings(user="ada", secret_key="k" * 20)
    copied = Settings(**{**settings.model_dump(), "user": "grace"})
    assert copied.user == "grace"
    assert copied.secret_key == settings.secret_key
    assert list(Settings.model_fields) == list(Settings._specs())


def test_the_settings_file_sits_between_the_environment_and_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22, item 4: one configuration the CLI and the running service both read."""
    for key in [k for k in __import__("os").environ if k.upper().startswith("NETGOALS_")]:
        monkeypatch.delenv(key)
    known = frozenset(Settings._specs())
    path = settings_file.write(tmp_path, "smtp_host", "mail.example.org", known)
    settings_file.write(tmp_path, "smtp_port", "465", known)
    settings_file.write(tmp_path, "google_client_secret", "shh", known)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds secrets
    found = Settings(home=tmp_path)
    assert (found.smtp_host, found.smtp_port, found.smtp_security) == ("mail.example.org", 465, "starttls")
    assert found.google_client_secret is not None and found.google_client_secret.get_secret_value() == "shh"
    assert found.source_of("smtp_host") == str(path) and found.source_of("smtp_security") == "default"
    monkeypatch.setenv("NETGOALS_SMTP_HOST", "from-env")
    assert Settings(home=tmp_path).smtp_host == "from-env"  # the environment wins
    assert Settings(home=tmp_path, smtp_host="given").smtp_host == "given"  # and arguments over it
    settings_file.write(tmp_path, "smtp_host", None, known)
    monkeypatch.delenv("NETGOALS_SMTP_HOST")
    assert Settings(home=tmp_path).smtp_host is None
    path.chmod(0o644)  # copied around: tightened when read
    Settings(home=tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('smtp_hots = "x"\n', "unknown setting 'smtp_hots'"),
        ('home = "/elsewhere"\n', "unknown setting 'home'"),
        ('smtp_port = "many"\n', "setting smtp_port in"),
        ("smtp_port = [1]\n", "one value"),
        ("smtp_port = \n", "not valid TOML"),
    ],
)
def test_a_bad_settings_file_names_the_file_and_the_key(
    text: str, words: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NETGOALS_SMTP_PORT", raising=False)
    (tmp_path / "settings.toml").write_text(text)
    with pytest.raises(SettingsError, match=words) as raised:
        Settings(home=tmp_path)
    assert "settings.toml" in str(raised.value)


def test_the_public_url_defaults_to_where_the_server_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 22, item 3: below the environment and settings.toml, the running server's address."""
    monkeypatch.delenv("NETGOALS_PUBLIC_URL", raising=False)
    assert Settings(home=tmp_path).public_url == "http://127.0.0.1:8000"
    started = Settings(home=tmp_path)
    assert served.start(started, "0.0.0.0", 8123) == "http://127.0.0.1:8123"
    assert Settings(home=tmp_path).public_url == "http://127.0.0.1:8123"
    # A later server on another port does not inherit the earlier one's address.
    assert served.start(Settings(home=tmp_path), "::1", 9000) == "http://[::1]:9000"
    settings_file.write(tmp_path, "public_url", "https://goals.example", frozenset(Settings._specs()))
    assert served.start(Settings(home=tmp_path), "127.0.0.1", 9001) == "https://goals.example"
    assert Settings(home=tmp_path).public_url == "https://goals.example"
