"""Scheduled upkeep on the real PostgreSQL and Redis."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta

import orjson
import pytest
from injector import Injector
from redis.asyncio import Redis

from adapters.bootstrap.worker import worker_injector
from adapters.lifecycle import Lifecycle
from adapters.settings import Settings
from core.housekeeping.delete_rejected_accounts import DeleteRejectedAccounts
from core.housekeeping.prune_bookkeeping import PruneBookkeeping
from core.housekeeping.requeue_stale_checks import RequeueStaleChecks
from tests.integration.api_client import Api


@pytest.fixture
async def worker(settings: Settings) -> AsyncIterator[Injector]:
    """The worker process's wiring, where the housekeeping actors find their handlers."""
    injector = worker_injector(settings)
    yield injector
    await injector.get(Lifecycle).close()


async def test_stale_pending_checks_are_enqueued_once(
    api: Api,
    db,
    worker: Injector,
    settings: Settings,
) -> None:
    await api.register(username="stale", email="stale@example.com")
    await api.register(username="fresh", email="fresh@example.com")
    await db.execute(
        "UPDATE users SET email_status = 'pending', email_status_at = now() - interval '2 hours'"
        " WHERE username = 'stale'"
    )
    await db.execute("UPDATE users SET email_status = 'pending' WHERE username = 'fresh'")
    requeue = worker.get(RequeueStaleChecks)
    assert await requeue() == 1
    assert await requeue() == 0, "stamped: the next run leaves it to its job"
    async with Redis.from_url(settings.redis_url) as redis:
        queued = [orjson.loads(m) for m in await redis.hvals("dramatiq:default.msgs")]
    stale_id = (await (await db.execute("SELECT id FROM users WHERE username='stale'")).fetchone())[
        0
    ]
    assert [m["args"] for m in queued] == [[str(stale_id)]]


async def test_rejected_accounts_are_deleted_only_when_configured(
    api: Api,
    db,
    worker: Injector,
) -> None:
    await api.register()
    await db.execute(
        "UPDATE users SET email_status = 'rejected', email_status_at = now() - interval '40 days'"
    )
    assert await worker.get(DeleteRejectedAccounts)() == 0  # default: off
    handler = dataclasses.replace(
        worker.get(DeleteRejectedAccounts), rejected_for=timedelta(days=30)
    )
    assert await handler() == 1
    assert (await (await db.execute("SELECT count(*) FROM users")).fetchone())[0] == 0
    events = await (
        await db.execute("SELECT type FROM outbox WHERE topic = 'mail' ORDER BY id")
    ).fetchall()
    assert [e[0] for e in events] == [
        "user.created",
        "user.verification_requested",
        "user.deleted",
    ], "a goodbye mail follows"
    public = await (
        await db.execute("SELECT type FROM outbox WHERE topic = 'public' ORDER BY id")
    ).fetchall()
    assert [e[0] for e in public] == ["user.created", "user.deleted"], "other services hear of it"
    trail = await (await db.execute("SELECT type, details FROM audit_events")).fetchall()
    assert ("account.deleted", {"reason": "address_rejected"}) in trail


async def test_old_bookkeeping_rows_are_pruned(api: Api, db, worker: Injector) -> None:
    await api.register()
    await api.register(username="other", email="other@example.com")
    await db.execute(
        "UPDATE outbox SET published_at = now() - interval '8 days'"
        " WHERE id = (SELECT min(id) FROM outbox)"
    )
    await db.execute(
        "INSERT INTO processed_events (event_id, processed_at) VALUES"
        " (gen_random_uuid(), now() - interval '8 days'), (gen_random_uuid(), now())"
    )
    assert await worker.get(PruneBookkeeping)() == {
        "outbox": 1,
        "processed_events": 1,
        "refresh_tokens": 0,
        "action_tokens": 0,
        "sessions": 0,
        "webauthn_challenges": 0,
        "mfa_challenges": 0,
    }
    # Each sign-up wrote two events (welcome, confirmation); the oldest was pruned.
    count = "SELECT count(*) FROM outbox WHERE topic = %s"
    assert (await (await db.execute(count, ("mail",))).fetchone())[0] == 3
    # And one for other services (user.created), not published yet.
    assert (await (await db.execute(count, ("public",))).fetchone())[0] == 2


async def test_webauthn_challenges_are_pruned_once_expired(db, worker: Injector) -> None:
    await db.execute(
        "INSERT INTO webauthn_challenges (id, purpose, challenge, expires_at) VALUES"
        " (gen_random_uuid(), 'sign_in', 'a', now() - interval '1 minute'),"
        " (gen_random_uuid(), 'sign_in', 'b', now() + interval '4 minutes')"
    )
    assert (await worker.get(PruneBookkeeping)())["webauthn_challenges"] == 1
    cursor = await db.execute("SELECT challenge FROM webauthn_challenges")
    assert await cursor.fetchall() == [(b"b",)], "a ceremony under way keeps its challenge"


async def test_sessions_are_kept_while_they_tell_a_known_device_and_then_pruned(
    api: Api, db, worker: Injector
) -> None:
    await api.register()
    await api.login()  # a session whose refresh token is still there
    await db.execute("UPDATE sessions SET last_used_at = now() - interval '91 days'")
    for device, unused_for in (("over", timedelta(days=91)), ("recent", timedelta(days=89))):
        await db.execute(
            "INSERT INTO sessions (id, user_id, created_at, last_used_at, amr, device)"
            " SELECT gen_random_uuid(), id, now() - interval '120 days', now() - %s, '{pwd}', %s"
            " FROM users",
            (unused_for, device),
        )

    assert (await worker.get(PruneBookkeeping)())["sessions"] == 1
    cursor = await db.execute("SELECT device FROM sessions ORDER BY device")
    # The one with a token left goes once housekeeping has pruned its expired tokens.
    assert await cursor.fetchall() == [("python-httpx",), ("recent",)]
