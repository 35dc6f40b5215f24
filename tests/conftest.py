"""Shared fixtures: settings for the test database, signing keys, a migrated schema."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config

from adapters.key_files import ensure_key_file
from adapters.settings import Settings
from adapters.tokens import new_key_pem

ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg://accounts:accounts@127.0.0.1:5433/accounts_test"
)

# A Redis database of the tests' own, emptied before each test.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys")
    (path / "20260101T000000Z.pem").write_bytes(new_key_pem())
    ensure_key_file(path / "action-tokens.key")
    ensure_key_file(path / "csrf.key")
    ensure_key_file(path / "totp.key")
    ensure_key_file(path / "webhooks.key")
    return path


@pytest.fixture(scope="session")
def settings(key_dir: Path) -> Settings:
    return dataclasses.replace(
        Settings.from_env(read_dotenv=False),
        database_url=TEST_DATABASE_URL,
        redis_url=TEST_REDIS_URL,
        jwt_key_dir=key_dir,
        action_token_key_file=key_dir / "action-tokens.key",
        csrf_key_file=key_dir / "csrf.key",
        totp_key_file=key_dir / "totp.key",
        webhook_key_file=key_dir / "webhooks.key",
        argon2_profile="cheapest",
        hash_concurrency=2,
        log_json=False,
        # Bursts of concurrent requests in one event loop can outlast the 100 ms production
        # budget; the tests of that budget set it back explicitly.
        rate_limit_timeout_seconds=2.0,
    )


@pytest.fixture(scope="session")
def migrated(settings: Settings) -> str:
    """The test database at the newest schema, migrated exactly as `ops/run` migrates."""
    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    config.attributes["url"] = settings.database_url
    command.upgrade(config, "head")
    return settings.database_url
