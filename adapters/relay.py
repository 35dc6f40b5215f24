"""The outbox relay: publishes unpublished outbox rows to Kafka, in order, and marks them sent
once the broker has acknowledged them. Several relays may run: row locks (FOR UPDATE SKIP
LOCKED) give each batch to one of them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from prometheus_client import Counter
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.tables import outbox

log = logging.getLogger("adapters.relay")

PUBLISHED = Counter("outbox_published_total", "Outbox events published to Kafka.")


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        producer_factory: Callable[[], AIOKafkaProducer],
        topic: str,
        *,
        batch_size: int = 100,
        poll_seconds: float = 0.2,
        max_backoff_seconds: float = 30.0,
        publish_timeout_seconds: float = 10.0,
    ) -> None:
        self._engine = engine
        self._new_producer = producer_factory
        self._topic = topic
        self._batch = batch_size
        self._poll = poll_seconds
        self._max_backoff = max_backoff_seconds
        self._publish_timeout = publish_timeout_seconds

    async def run(self, stop: asyncio.Event) -> None:
        producer: AIOKafkaProducer | None = None
        backoff = self._poll
        try:
            while not stop.is_set():
                try:
                    if producer is None:
                        producer = self._new_producer()
                        await producer.start()
                        log.info("connected to kafka")
                    published = await self.publish_batch(producer)
                    backoff = self._poll
                    if published < self._batch:
                        await _sleep_unless(stop, self._poll)
                except (KafkaError, DBAPIError, OSError, TimeoutError) as error:
                    # Nothing is lost: unpublished rows stay in the outbox until a later try.
                    log.warning(
                        "relay cannot publish; retrying",
                        extra={"error": repr(error), "retry_in_s": backoff},
                    )
                    if producer is not None:
                        # Drops what it still holds: those rows stay unpublished and go again.
                        await _quietly(producer.stop)
                        producer = None
                    await _sleep_unless(stop, backoff)
                    backoff = min(backoff * 2, self._max_backoff)
        finally:
            if producer is not None:
                await _quietly(producer.stop)

    async def publish_batch(self, producer: AIOKafkaProducer) -> int:
        """Publish up to one batch; returns how many rows were published."""
        async with self._engine.begin() as conn:
            rows = (
                await conn.execute(
                    select(outbox.c.id, outbox.c.user_id, outbox.c.type, outbox.c.payload)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.id)
                    .limit(self._batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            # aiokafka retries a send for as long as the broker is away; the transaction (and
            # its row locks) must not wait that long.
            async with asyncio.timeout(self._publish_timeout):
                await self._send_all(producer, rows)
            await conn.execute(
                update(outbox)
                .where(outbox.c.id.in_([row.id for row in rows]))
                .values(published_at=func.now())
            )
        PUBLISHED.inc(len(rows))
        log.info("published outbox events", extra={"count": len(rows)})
        return len(rows)

    async def _send_all(self, producer: AIOKafkaProducer, rows: Sequence[Any]) -> None:
        acks = []
        for row in rows:
            payload = row.payload
            headers = [
                ("event_id", payload["event_id"].encode()),
                ("type", row.type.encode()),
                ("request_id", (payload.get("request_id") or "").encode()),
            ]
            acks.append(
                await producer.send(
                    self._topic,
                    key=str(row.user_id).encode(),
                    value=orjson.dumps(payload),
                    headers=headers,
                )
            )
        # Rows are marked sent only after every message of the batch is acknowledged.
        await asyncio.gather(*acks)


def kafka_producer(bootstrap_servers: str, timeout_seconds: float = 10.0) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        enable_idempotence=True,  # acks=all, no duplicates from the producer's own retries
        linger_ms=5,
        request_timeout_ms=int(timeout_seconds * 1000),
    )


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def _quietly(action: Callable[[], Awaitable[object]]) -> None:
    try:
        async with asyncio.timeout(5):
            await action()
    except Exception as error:  # closing a broken client must not hide why it broke
        log.debug("ignored error while closing", extra={"error": repr(error)})
