"""The outbox relay: publishes unpublished outbox rows to Kafka, in order, each to the Kafka topic
of its outbox topic (the mailer's, or the public one), and marks them sent once the broker has
acknowledged them. Several relays may run: one publishes at a time (a
transaction-level advisory lock), the others stand by, so no row goes out twice and one user's
events never overtake each other in two relays' concurrent batches."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from prometheus_client import Counter
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.outbox_notifications import OutboxNotifications
from adapters.sql.outbox import MAIL
from adapters.sql.tables import outbox

log = logging.getLogger("adapters.relay")

PUBLISHED = Counter("outbox_published_total", "Outbox events published to Kafka.")

# pg_try_advisory_xact_lock key held by the relay that is publishing ("outbox" in ASCII).
PUBLISHING_LOCK = 0x6F7574626F78


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        producer_factory: Callable[[], AIOKafkaProducer],
        topics: Mapping[str, str],
        *,
        notifications: OutboxNotifications | None = None,
        prepare: Callable[[], Awaitable[None]] | None = None,
        batch_size: int = 100,
        poll_seconds: float = 0.2,
        linger_seconds: float = 0.05,
        max_backoff_seconds: float = 30.0,
        publish_timeout_seconds: float = 10.0,
    ) -> None:
        self._engine = engine
        self._new_producer = producer_factory
        self._topics = topics
        """Outbox topic ("mail", "public") -> Kafka topic."""
        self._notifications = notifications
        self._prepare = prepare
        self._batch = batch_size
        self._poll = poll_seconds
        self._linger = linger_seconds
        self._max_backoff = max_backoff_seconds
        self._publish_timeout = publish_timeout_seconds

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set. `prepare` (creating the topics) runs once Kafka can be
        reached; the relay then sleeps until notified of new events, or one poll interval."""
        producer: AIOKafkaProducer | None = None
        backoff = self._poll
        prepare = self._prepare
        listening = (
            asyncio.create_task(self._notifications.listen()) if self._notifications else None
        )
        try:
            while not stop.is_set():
                try:
                    if prepare is not None:
                        await prepare()
                        prepare = None
                    if producer is None:
                        producer = self._new_producer()
                        await producer.start()
                        log.info("connected to kafka")
                    if self._notifications is not None:
                        # Events committed from here on wake the relay again after this batch.
                        self._notifications.arrived.clear()
                    published = await self.publish_batch(producer)
                    backoff = self._poll
                    if 0 < published < self._batch:
                        # A lone event went out at once; under a stream of them, this pause
                        # lets a few gather, so the relay reads and publishes them together.
                        await _sleep_unless(stop, self._linger)
                    if published < self._batch:
                        await self._wait_for_events(stop)
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
            if listening is not None:
                listening.cancel()
                await asyncio.gather(listening, return_exceptions=True)
            if producer is not None:
                await _quietly(producer.stop)

    async def _wait_for_events(self, stop: asyncio.Event) -> None:
        """Until notified of new events, stopped, or one poll interval has passed."""
        waits = [asyncio.ensure_future(stop.wait())]
        if self._notifications is not None:
            waits.append(asyncio.ensure_future(self._notifications.arrived.wait()))
        try:
            await asyncio.wait(waits, timeout=self._poll, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()

    async def publish_batch(self, producer: AIOKafkaProducer) -> int:
        """Publish up to one batch; returns how many rows were published (0 as well while
        another relay is publishing)."""
        async with self._engine.begin() as conn:
            if not (
                await conn.execute(select(func.pg_try_advisory_xact_lock(PUBLISHING_LOCK)))
            ).scalar():
                return 0
            rows = (
                await conn.execute(
                    select(
                        outbox.c.id,
                        outbox.c.topic,
                        outbox.c.user_id,
                        outbox.c.type,
                        outbox.c.payload,
                    )
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
            headers = [("event_id", payload["event_id"].encode()), ("type", row.type.encode())]
            if row.topic == MAIL:
                headers.append(("request_id", (payload.get("request_id") or "").encode()))
            acks.append(
                await producer.send(
                    self._topics[row.topic],
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
