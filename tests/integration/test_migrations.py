"""Migrations on a database that already holds rows, in a scratch database of their own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from adapters.settings import Settings
from tests.conftest import ROOT

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture
def scratch(settings: Settings) -> Iterator[str]:
    """An empty database beside the test database, dropped afterwards."""
    url = make_url(settings.database_url)
    name = f"{url.database}_migrations"
    with psycopg.connect(_plain(settings.database_url), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def _alembic(url: str) -> Config:
    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    config.attributes["url"] = url
    return config


def test_refresh_tokens_issued_before_the_session_columns_survive_the_upgrade(
    scratch: str,
) -> None:
    config = _alembic(scratch)
    command.upgrade(config, "0005")
    user, first_family, second_family = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with psycopg.connect(_plain(scratch), autocommit=True) as db:
        db.execute(
            "INSERT INTO users (id, username, email, password_hash, created_at, updated_at)"
            " VALUES (%s, 'alice', 'alice@example.com', 'h', %s, %s)",
            (user, T0, T0),
        )
        for family, created, hash_ in (
            (first_family, T0, "a"),
            (first_family, T0 + timedelta(hours=1), "b"),
            (second_family, T0 + timedelta(days=1), "c"),
        ):
            db.execute(
                "INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, token_version,"
                " created_at, expires_at) VALUES (%s, %s, %s, %s, 0, %s, %s)",
                (uuid.uuid4(), family, user, hash_, created, created + timedelta(days=30)),
            )

    command.upgrade(config, "head")

    # Each token gets the sign-in time of its family, the oldest row it has.
    assert _rows(
        scratch,
        "SELECT token_hash, auth_time, rotated_at, replaced_by FROM refresh_tokens"
        " ORDER BY token_hash",
    ) == [
        ("a", T0, None, None),
        ("b", T0, None, None),
        ("c", T0 + timedelta(days=1), None, None),
    ]

    command.downgrade(config, "0005")

    columns = _rows(
        scratch,
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'refresh_tokens'",
    )
    assert {c for (c,) in columns}.isdisjoint({"auth_time", "rotated_at", "replaced_by"})
    assert _rows(scratch, "SELECT count(*) FROM refresh_tokens") == [(3,)]


def test_sessions_from_before_two_step_sign_in_signed_in_with_a_password(scratch: str) -> None:
    config = _alembic(scratch)
    command.upgrade(config, "0010")
    user = uuid.uuid4()
    with psycopg.connect(_plain(scratch), autocommit=True) as db:
        db.execute(
            "INSERT INTO users (id, username, email, password_hash, created_at, updated_at)"
            " VALUES (%s, 'alice', 'alice@example.com', 'h', %s, %s)",
            (user, T0, T0),
        )
        db.execute(
            "INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, token_version,"
            " created_at, expires_at, auth_time) VALUES (%s, %s, %s, 'a', 0, %s, %s, %s)",
            (uuid.uuid4(), uuid.uuid4(), user, T0, T0 + timedelta(days=30), T0),
        )

    command.upgrade(config, "head")

    assert _rows(scratch, "SELECT amr FROM refresh_tokens") == [(["pwd"],)]

    command.downgrade(config, "0010")

    tables = _rows(scratch, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    assert {t for (t,) in tables}.isdisjoint(
        {"totp_credentials", "recovery_codes", "mfa_challenges"}
    )
    assert _rows(scratch, "SELECT count(*) FROM refresh_tokens") == [(1,)]


def _rows(url: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(_plain(url)) as db:
        return db.execute(query).fetchall()  # type: ignore[arg-type]


def test_sessions_begun_before_linked_identities_name_no_provider(scratch: str) -> None:
    config = _alembic(scratch)
    command.upgrade(config, "0011")
    user = uuid.uuid4()
    with psycopg.connect(_plain(scratch), autocommit=True) as db:
        db.execute(
            "INSERT INTO users (id, username, email, password_hash, created_at, updated_at)"
            " VALUES (%s, 'alice', 'alice@example.com', 'h', %s, %s)",
            (user, T0, T0),
        )
        db.execute(
            "INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, token_version,"
            " created_at, expires_at, auth_time) VALUES (%s, %s, %s, 'a', 0, %s, %s, %s)",
            (uuid.uuid4(), uuid.uuid4(), user, T0, T0 + timedelta(days=30), T0),
        )

    command.upgrade(config, "head")

    assert _rows(scratch, "SELECT amr, provider FROM refresh_tokens") == [(["pwd"], None)]
    assert _rows(scratch, "SELECT count(*) FROM linked_identities") == [(0,)]
    command.downgrade(config, "0011")
    assert _rows(scratch, "SELECT count(*) FROM refresh_tokens") == [(1,)]


def test_families_live_at_the_upgrade_become_sessions_their_tokens_name(scratch: str) -> None:
    config = _alembic(scratch)
    command.upgrade(config, "0013")
    user, live, revoked = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    signed_in = datetime.now(UTC) - timedelta(days=2)
    with psycopg.connect(_plain(scratch), autocommit=True) as db:
        db.execute(
            "INSERT INTO users (id, username, email, password_hash, created_at, updated_at)"
            " VALUES (%s, 'alice', 'alice@example.com', 'h', %s, %s)",
            (user, T0, T0),
        )
        # A family rotated once (its first token revoked as rotated, the second live), with
        # a second factor; and a family signed out of.
        for family, hash_, created, gone, amr in (
            (live, "a", signed_in, signed_in + timedelta(days=1), ["pwd", "otp"]),
            (live, "b", signed_in + timedelta(days=1), None, ["pwd", "otp"]),
            (revoked, "c", signed_in, signed_in, ["pwd"]),
        ):
            db.execute(
                "INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, token_version,"
                " created_at, expires_at, auth_time, revoked_at, amr)"
                " VALUES (%s, %s, %s, %s, 0, %s, %s, %s, %s, %s)",
                (
                    uuid.uuid4(),
                    family,
                    user,
                    hash_,
                    created,
                    created + timedelta(days=30),
                    signed_in,
                    gone,
                    amr,
                ),
            )

    command.upgrade(config, "head")

    assert _rows(
        scratch,
        "SELECT id, user_id, created_at, last_used_at, amr, ip, device, ended_at FROM sessions",
    ) == [(live, user, signed_in, signed_in + timedelta(days=1), ["pwd", "otp"], None, None, None)]
    command.downgrade(config, "0013")
    tables = _rows(scratch, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    assert "sessions" not in {t for (t,) in tables}
    assert _rows(scratch, "SELECT count(*) FROM refresh_tokens") == [(3,)]
