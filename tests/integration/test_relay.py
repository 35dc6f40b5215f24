"""The relay on the real PostgreSQL and Kafka: it creates its topics, and a committed event wakes
it at once rather than at its next poll."""

from __future__ import annotations

import asyncio
import functools
import time
import uuid

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from injector import Injector
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.kafka_topics import TopicLayout, ensure_topics
from adapters.outbox_notifications import OutboxNotifications
from adapters.relay import OutboxRelay, kafka_producer
from tests.integration.api_client import Api

KAFKA = "127.0.0.1:9092"


async def _partitions(*topics: str) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    await admin.start()
    try:
        return {t["topic"]: len(t["partitions"]) for t in await admin.describe_topics(list(topics))}
    finally:
        await admin.close()


async def test_topics_are_created_once_whoever_comes_first() -> None:
    layout = TopicLayout(f"topics_test_{uuid.uuid4().hex[:8]}", partitions=6, replication=1)
    # The relay and two consumers starting together.
    await asyncio.gather(*(ensure_topics(KAFKA, layout) for _ in range(3)))
    await ensure_topics(KAFKA, layout)
    assert await _partitions(*layout.names) == {layout.events: 6, layout.dead_letters: 6}


async def test_an_existing_topic_keeps_its_partitions(caplog: pytest.LogCaptureFixture) -> None:
    layout = TopicLayout(f"topics_test_{uuid.uuid4().hex[:8]}", partitions=6, replication=1)
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(layout.events, 2, 1)])
    finally:
        await admin.close()
    await ensure_topics(KAFKA, layout)
    assert await _partitions(*layout.names) == {layout.events: 2, layout.dead_letters: 6}
    assert "fewer partitions than KAFKA_PARTITIONS" in caplog.text


async def test_a_committed_event_wakes_the_relay(api: Api, injector: Injector) -> None:
    name = f"relay_test_{uuid.uuid4().hex[:8]}"
    layout = TopicLayout(name, partitions=6, replication=1, public_events=f"{name}_public")
    engine = injector.get(AsyncEngine)
    relay = OutboxRelay(
        engine,
        lambda: kafka_producer(KAFKA),
        {"mail": layout.events, "public": f"{name}_public"},
        notifications=OutboxNotifications(engine.url),
        prepare=functools.partial(ensure_topics, KAFKA, layout),
        poll_seconds=60,  # only a notification can wake it within the test
    )
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    consumer = AIOKafkaConsumer(
        layout.events,
        bootstrap_servers=KAFKA,
        auto_offset_reset="earliest",
        group_id=f"check-{uuid.uuid4().hex[:6]}",
    )
    try:
        async with asyncio.timeout(30):
            while not running.done() and layout.events not in await _topic_names():
                await asyncio.sleep(0.1)
        await consumer.start()
        await asyncio.sleep(1)  # the relay has read the empty outbox and sleeps
        started = time.monotonic()
        assert (await api.register()).status_code == 201
        records = []
        async with asyncio.timeout(10):
            while len(records) < 2:  # the welcome and the confirmation event
                for batch in (await consumer.getmany(timeout_ms=200)).values():
                    records.extend(batch)
        assert time.monotonic() - started < 5
    finally:
        stop.set()
        await running
        await consumer.stop()
    assert await _partitions(*layout.names) == {
        layout.events: 6,
        layout.dead_letters: 6,
        f"{name}_public": 6,
    }


async def _topic_names() -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    await admin.start()
    try:
        return await admin.list_topics()
    finally:
        await admin.close()
