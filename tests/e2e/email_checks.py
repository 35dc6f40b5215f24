"""Email checks as the worker's end-to-end tests set them up: the worker's environment, pending
users in PostgreSQL, their checks enqueued in Redis."""

from __future__ import annotations

import asyncio
import uuid

import psycopg

from adapters.jobs import DramatiqJobs, dramatiq_broker
from adapters.passwords import PROFILES
from adapters.settings import Settings
from tests.processes import environment, key_files


def worker_environment(settings: Settings, reputation_url: str, **overrides: str) -> dict[str, str]:
    """The worker's environment with the check on, against the stand-in reputation service."""
    return environment(
        **{
            "DATABASE_URL": settings.database_url,
            "REDIS_URL": settings.redis_url,
            **key_files(settings),
            "EMAIL_CHECK_ENABLED": "true",
            "EMAIL_CHECK_URL": reputation_url,
            "EMAIL_CHECK_API_KEY": "test-key",
            **overrides,
        }
    )


def dsn(settings: Settings) -> str:
    return settings.database_url.replace("postgresql+psycopg://", "postgresql://")


def pending_user(settings: Settings, local: str, password: str | None = None) -> tuple[str, str]:
    """A user whose address awaits its check, as sign-up leaves it when the service failed;
    one who can sign in when given a `password`."""
    password_hash = PROFILES["cheapest"].hash(password) if password else "x"
    user_id, email = str(uuid.uuid4()), f"{local}-{uuid.uuid4().hex[:6]}@example.com"
    with psycopg.connect(dsn(settings), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO users (id, username, email, password_hash, created_at, updated_at,"
            " email_status, email_status_at)"
            " VALUES (%s, %s, %s, %s, now(), now(), 'pending', now())",
            (user_id, f"w{uuid.uuid4().hex[:10]}", email, password_hash),
        )
    return user_id, email


def status(settings: Settings, user_id: str) -> str:
    with psycopg.connect(dsn(settings)) as conn:
        row = conn.execute("SELECT email_status FROM users WHERE id = %s", (user_id,)).fetchone()
    return str(row[0]) if row else "gone"


def enqueue_check(settings: Settings, user_id: str) -> None:
    asyncio.run(
        DramatiqJobs(dramatiq_broker(settings.redis_url)).check_email_reputation_later(
            uuid.UUID(user_id)
        )
    )
