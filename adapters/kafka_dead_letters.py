"""The lifecycle-mail DLQ (`<EVENTS_TOPIC>.dlq`): what is in it, and putting it back on the
event topic once (`ops/admin mail dlq list|replay`).

A consumer group of its own (`<MAIL_CONSUMER_GROUP>-dlq-replay`) marks how far the DLQ has
been replayed: a replay republishes every record after the group's committed offset, waits
for the broker to acknowledge them all, and only then commits; the next replay starts there.
Should the process die between the two, the records go out again, and the mailer, which
records every event it mailed, sends nothing twice."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from adapters.kafka_topics import TopicLayout
from adapters.relay import kafka_producer

# Set by the mailer's dead_letter (actors/mailer.py) and dropped when the record goes back.
_DLQ_HEADERS = frozenset({"x-error", "x-original-topic"})


@dataclass(frozen=True, slots=True)
class DeadLetter:
    partition: int
    offset: int
    timestamp: datetime
    event_type: str | None
    event_id: str | None
    error: str


def _header(record: ConsumerRecord[bytes, bytes], name: str) -> str:
    for key, value in record.headers or ():
        if key == name:
            return (value or b"").decode(errors="replace")
    return ""


def _event(record: ConsumerRecord[bytes, bytes]) -> dict[str, object]:
    """The record's event, as far as its value is one (a DLQ also holds what is not)."""
    try:
        event = orjson.loads(record.value or b"")
    except orjson.JSONDecodeError:
        return {}
    return event if isinstance(event, dict) else {}


def dead_letter(record: ConsumerRecord[bytes, bytes]) -> DeadLetter:
    event = _event(record)
    return DeadLetter(
        partition=record.partition,
        offset=record.offset,
        timestamp=datetime.fromtimestamp(record.timestamp / 1000, UTC),
        event_type=str(event["type"]) if "type" in event else None,
        event_id=str(event["event_id"]) if "event_id" in event else None,
        error=_header(record, "x-error"),
    )


def replay_headers(record: ConsumerRecord[bytes, bytes]) -> list[tuple[str, bytes]]:
    """The headers the relay gives an event, which the DLQ record lost, and where it was."""
    event = _event(record)
    headers = [(k, v) for k, v in record.headers or () if k not in _DLQ_HEADERS]
    for name in ("event_id", "type", "request_id"):
        if name in event and all(k != name for k, _ in headers):
            headers.append((name, str(event[name] or "").encode()))
    headers.append(("x-replayed-from", f"{record.partition}:{record.offset}".encode()))
    return headers


class KafkaDeadLetters:
    def __init__(
        self, bootstrap_servers: str, topics: TopicLayout, group_id: str, timeout_seconds: float
    ) -> None:
        self._servers = bootstrap_servers
        self._topics = topics
        self._group = group_id
        self._timeout = timeout_seconds

    async def pending(self, limit: int) -> tuple[list[DeadLetter], int]:
        """The first `limit` records not replayed yet, and how many there are in all."""
        async with self._unreplayed() as window:
            shown: list[DeadLetter] = []
            async for record in window.records():
                if len(shown) >= limit:
                    break
                shown.append(dead_letter(record))
        return shown, window.total

    async def replay(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Republish every record not replayed yet onto the event topic (same key, value and
        the relay's headers), then commit: returns how many went back."""
        async with self._unreplayed() as window:
            producer = kafka_producer(self._servers, self._timeout)
            await producer.start()
            try:
                acks, done = [], {}
                async for record in window.records():
                    acks.append(
                        await producer.send(
                            self._topics.events,
                            key=record.key,
                            value=record.value,
                            headers=replay_headers(record),
                        )
                    )
                    done[TopicPartition(record.topic, record.partition)] = record.offset + 1
                    if progress is not None:
                        progress(len(acks), window.total)
                # Committed only once the broker holds every record on the event topic.
                await asyncio.gather(*acks)
            finally:
                await producer.stop()
            if done:
                await window.consumer.commit(done)
        return len(acks)

    @contextlib.asynccontextmanager
    async def _unreplayed(self) -> AsyncIterator[_Window]:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._servers,
            group_id=self._group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            request_timeout_ms=int(self._timeout * 1000),
        )
        topic = self._topics.dead_letters
        parts = [TopicPartition(topic, n) for n in await self._partitions(topic)]
        await consumer.start()
        try:
            counts: dict[TopicPartition, int] = {}
            if parts:
                consumer.assign(parts)
                first = await consumer.beginning_offsets(parts)
                last = await consumer.end_offsets(parts)
                for part in parts:
                    start = max(await consumer.committed(part) or 0, first[part])
                    consumer.seek(part, start)
                    if last[part] > start:
                        counts[part] = last[part] - start
            yield _Window(consumer, counts, self._timeout)
        finally:
            await consumer.stop()

    async def _partitions(self, topic: str) -> list[int]:
        """The topic's partitions; none while it does not exist (no event was set aside yet)."""
        admin = AIOKafkaAdminClient(
            bootstrap_servers=self._servers, request_timeout_ms=int(self._timeout * 1000)
        )
        await admin.start()
        try:
            if topic not in await admin.list_topics():
                return []
            (description,) = await admin.describe_topics([topic])
            return sorted(p["partition"] for p in description["partitions"])
        finally:
            await admin.close()


@dataclass
class _Window:
    """The records after the group's committed offsets, up to the end offsets as they were
    when it opened (records arriving meanwhile wait for the next replay)."""

    consumer: AIOKafkaConsumer
    counts: dict[TopicPartition, int]
    timeout: float

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    async def records(self) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:
        left = dict(self.counts)
        while left:
            batch = await self.consumer.getmany(*left, timeout_ms=int(self.timeout * 1000))
            if not batch:
                raise TimeoutError("the DLQ did not deliver the records it holds")
            for part, records in batch.items():
                for record in records[: left.get(part, 0)]:
                    yield record
                left[part] = left.get(part, 0) - len(records)
                if left[part] <= 0:
                    del left[part]
