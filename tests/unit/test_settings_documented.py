"""`.env.example` lists every name `Settings.from_env` reads from the environment, with its
default: the names are taken from what the settings object really reads, not from a list here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from dotenv import dotenv_values
from environs import Env

import adapters.settings
from adapters.settings import Settings

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"
# `NAME=value`, or `# NAME=value` for a setting that is unset or computed by default.
LISTED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def _names_read(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Every environment name `Settings.from_env` reads, as environs recorded it while reading."""
    readers: list[Env] = []

    class RecordingEnv(Env):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            readers.append(self)

    monkeypatch.setattr(adapters.settings, "Env", RecordingEnv)
    Settings.from_env(read_dotenv=False)
    (env,) = readers
    return set(env.dump())


@pytest.fixture
def names_read(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    return _names_read(monkeypatch)


def test_every_setting_is_listed_in_env_example(names_read: set[str]) -> None:
    listed = set(LISTED.findall(ENV_EXAMPLE.read_text()))
    assert names_read, "no setting was read: the recording no longer sees Settings.from_env"
    missing = sorted(names_read - listed)
    assert not missing, f".env.example does not list: {', '.join(missing)}"


def test_the_values_in_env_example_are_the_defaults(
    names_read: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in names_read:
        monkeypatch.delenv(name, raising=False)
    defaults = Settings.from_env(read_dotenv=False)
    for name, value in dotenv_values(ENV_EXAMPLE).items():
        if value is not None:
            monkeypatch.setenv(name, value)
    assert Settings.from_env(read_dotenv=False) == defaults


def test_the_settings_of_a_provider_are_documented_by_the_example_of_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A provider's settings are a family named after it (OIDC_<NAME>_*), read only for the
    names in OIDC_PROVIDERS: .env.example documents the family with the example "local"."""
    monkeypatch.setenv("OIDC_PROVIDERS", "local")
    for name in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET"):
        monkeypatch.setenv(f"OIDC_LOCAL_{name}", "x")
    monkeypatch.setenv("GITHUB_CLIENT_ID", "x")
    read = _names_read(monkeypatch)
    listed = set(LISTED.findall(ENV_EXAMPLE.read_text()))
    family = {name for name in read if name.startswith(("OIDC_LOCAL_", "GITHUB_"))}
    assert len(family) >= 7, family
    missing = sorted(read - listed)
    assert not missing, f".env.example does not list: {', '.join(missing)}"
