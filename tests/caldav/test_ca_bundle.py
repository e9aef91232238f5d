"""A CalDAV server signed by a private CA (a university's): NETGOALS_CALDAV_CA_BUNDLE names a PEM
file the guarded session verifies TLS with, besides the usual CAs. Against Xandikos on loopback
behind TLS with a certificate made for the test: refused without the bundle, verified with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from domain.calendars.calendar_port import ProviderError
from integrations.caldav.discovery import find_home
from integrations.caldav.session import Session
from service.caldav.context import CalDAV
from service.settings import Settings
from tests.caldav.servers import Server


def test_an_unknown_ca_is_refused(xandikos_server: Server) -> None:
    plain = Session(xandikos_server.username, xandikos_server.password, allow_private=True)
    with pytest.raises(ProviderError, match="could not be reached"):
        find_home(plain, xandikos_server.base_url, lambda _domain: None)


def test_the_bundle_from_the_environment_verifies_the_server(
    xandikos_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert xandikos_server.ca_file is not None
    monkeypatch.setenv("NETGOALS_CALDAV_CA_BUNDLE", str(xandikos_server.ca_file))
    settings = Settings(home=tmp_path, secret_key=Fernet.generate_key().decode(), allow_private_sources=True)
    session = CalDAV.open(settings).session(xandikos_server.username, xandikos_server.password)
    home = find_home(session, xandikos_server.base_url)
    assert home.home == xandikos_server.home_url


def test_a_bundle_that_is_not_pem_is_named(xandikos_server: Server, tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate\n")
    session = Session("ada", "pw", allow_private=True, ca_bundle=str(bundle))
    with pytest.raises(ProviderError, match=r"CA bundle .* could not be read"):
        find_home(session, xandikos_server.base_url)
