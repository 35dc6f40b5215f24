"""The outbox on the real PostgreSQL and Kafka: written with the change, relayed exactly once,
each row to its topic: the mailer's or the public one."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable

import httpx
import orjson
from aiokafka import AIOKafkaConsumer
from injector import Injector
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.relay import OutboxRelay, kafka_producer
from tests.integration.api_client import Api


async def _outbox(db, topic: str = "mail") -> list[dict]:
    rows = await (
        await db.execute("SELECT payload FROM outbox WHERE topic = %s ORDER BY id", (topic,))
    ).fetchall()
    return [row[0] for row in rows]


async def test_each_change_writes_one_event_in_its_transaction(api: Api, db) -> None:
    auth = await api.signed_up()
    await api.client.patch(
        "/api/v1/users",
        json={"username": "alice2", "password": "n3w-password", "current_password": "s3cret-pass"},
        headers={**auth, "X-Request-ID": "trace-42"},
    )
    # The password change retired the old token.
    auth = {"Authorization": f"Bearer {await api.token('alice2', 'n3w-password')}"}
    await api.client.request(
        "DELETE", "/api/v1/users", json={"password": "n3w-password"}, headers=auth
    )
    created, confirmation, updated, deleted = await _outbox(db)
    assert confirmation["type"] == "user.verification_requested"
    assert created["type"] == "user.created"
    assert updated["type"] == "user.updated"
    assert updated["changed"] == ["password", "username"]
    assert updated["request_id"] == "trace-42"
    assert deleted["type"] == "user.deleted"
    assert "n3w-password" not in str(updated)
    assert "password_hash" not in str(updated)
    # Other services hear of the same changes, in the same transactions.
    public = await _outbox(db, "public")
    assert [(e["type"], e.get("changed")) for e in public] == [
        ("user.created", None),
        ("user.updated", ["username"]),
        ("user.password_changed", None),
        ("user.deleted", None),
    ]
    assert {e["user_id"] for e in public} == {created["user_id"]}
    assert "n3w-password" not in str(public)


async def test_refused_changes_write_no_event(api: Api, db) -> None:
    await api.register()
    await api.register(username="ALICE", email="other@example.com")  # 409
    await api.register(username="x", email="bad")  # 422
    assert [e["type"] for e in await _outbox(db)] == ["user.created", "user.verification_requested"]
    assert [e["type"] for e in await _outbox(db, "public")] == ["user.created"]


async def test_two_relays_publish_each_event_exactly_once_and_in_order(
    client: httpx.AsyncClient,
    injector: Injector,
    db,
) -> None:
    api = Api(client)
    for i in range(30):
        assert (
            await api.register(username=f"relay{i}", email=f"relay{i}@example.com")
        ).status_code == 201
    topic = f"outbox_test_{uuid.uuid4().hex[:8]}"
    public_topic = f"{topic}_public"
    topics = {"mail": topic, "public": public_topic}
    engine = injector.get(AsyncEngine)
    relays = [
        OutboxRelay(engine, lambda: kafka_producer("127.0.0.1:9092"), topics, batch_size=7)
        for _ in range(2)
    ]
    producers = [kafka_producer("127.0.0.1:9092") for _ in relays]
    for producer in producers:
        await producer.start()
    try:
        while sum(
            await asyncio.gather(
                *(r.publish_batch(p) for r, p in zip(relays, producers, strict=True))
            )
        ):
            pass
    finally:
        for producer in producers:
            await producer.stop()
    unpublished = await (
        await db.execute("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    ).fetchone()
    assert unpublished[0] == 0

    # A welcome and a confirmation event per sign-up; and a user.created for other services.
    for kafka_topic, outbox_topic, count in ((topic, "mail", 60), (public_topic, "public", 30)):
        seen = await _read(kafka_topic, count)
        event_ids = [e["event_id"] for e in seen]
        assert len(event_ids) == count
        assert len(set(event_ids)) == count
        # One user's events sit in one partition, in the order they were written.
        written = await (
            await db.execute(
                "SELECT user_id, event_id FROM outbox WHERE topic = %s ORDER BY id",
                (outbox_topic,),
            )
        ).fetchall()
        assert _by_user((str(user), str(event)) for user, event in written) == _by_user(
            (e["user_id"], e["event_id"]) for e in seen
        )


async def _read(topic: str, count: int) -> list[dict]:
    """Every record of `topic`: at least `count`, and whatever arrives a second later."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers="127.0.0.1:9092",
        auto_offset_reset="earliest",
        group_id=f"check-{uuid.uuid4().hex[:6]}",
    )
    await consumer.start()
    try:
        seen: list[dict] = []
        async with asyncio.timeout(20):
            while len(seen) < count:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    seen.extend(orjson.loads(r.value) for r in records)
        await asyncio.sleep(1)
        for records in (await consumer.getmany(timeout_ms=500)).values():
            seen.extend(orjson.loads(r.value) for r in records)
    finally:
        await consumer.stop()
    return seen


def _by_user(events: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    by_user: dict[str, list[str]] = {}
    for user, event in events:
        by_user.setdefault(user, []).append(event)
    return by_user
