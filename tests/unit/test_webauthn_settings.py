"""Where passkeys may be used: the relying party and its origins, from the environment."""

from __future__ import annotations

import pytest

from adapters.settings import Settings


@pytest.fixture(autouse=True)
def _no_webauthn_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PUBLIC_BASE_URL", "WEBAUTHN_RP_ID", "WEBAUTHN_RP_NAME", "WEBAUTHN_ORIGINS"):
        monkeypatch.delenv(name, raising=False)


def test_locally_the_site_is_accepted_in_both_spellings() -> None:
    settings = Settings.from_env(read_dotenv=False)
    assert (settings.webauthn_rp_id, settings.webauthn_rp_name) == ("localhost", "Accounts")
    assert settings.webauthn_origins == ("http://127.0.0.1:8000", "http://localhost:8000")


def test_the_origin_follows_the_public_site(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://accounts.example.com/")
    monkeypatch.setenv("WEBAUTHN_RP_ID", "example.com")
    settings = Settings.from_env(read_dotenv=False)
    assert settings.webauthn_origins == ("https://accounts.example.com",)


def test_origins_may_be_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBAUTHN_ORIGINS", "https://a.example.com,https://b.example.com:8443")
    settings = Settings.from_env(read_dotenv=False)
    assert settings.webauthn_origins == ("https://a.example.com", "https://b.example.com:8443")
