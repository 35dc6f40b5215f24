"""A batch of records: users' mails concurrently, one user's in order, failures held back, and
partitions given up only once the batch in hand is done."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from aiokafka import ConsumerRecord, TopicPartition
from faststream.kafka.message import KafkaMessage
from faststream.kafka.parser import AioKafkaBatchParser

from actors.mail_batches import BatchDelivery, FinishBatchBeforeRebalance, with_readable_headers


@dataclass(frozen=True)
class Record:
    key: bytes | None
    value: bytes | None


class Deliveries:
    """Records what was delivered, in order, and how many deliveries ran at once."""

    def __init__(self, fail: frozenset[bytes] = frozenset(), pause: float = 0.01) -> None:
        self.fail = fail
        self.pause = pause
        self.done: list[bytes] = []
        self.running = 0
        self.most_at_once = 0

    async def __call__(self, raw: bytes, key: bytes | None) -> None:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await asyncio.sleep(self.pause)
            if raw in self.fail:
                raise RuntimeError(f"cannot deliver {raw!r}")
            self.done.append(raw)
        finally:
            self.running -= 1


def _records(*pairs: tuple[bytes, bytes]) -> list[Record]:
    return [Record(key, value) for key, value in pairs]


async def test_one_users_records_go_in_order_and_users_concurrently() -> None:
    deliveries = Deliveries()
    batch = _records(
        *((b"ann", b"ann%d" % i) for i in range(5)), (b"bob", b"bob0"), (b"cy", b"cy0")
    )
    await BatchDelivery(deliveries, concurrency=8)(batch)
    assert [raw for raw in deliveries.done if raw.startswith(b"ann")] == [
        b"ann0",
        b"ann1",
        b"ann2",
        b"ann3",
        b"ann4",
    ]
    assert sorted(deliveries.done) == sorted(r.value for r in batch)
    # bob and cy went out while ann's were still going, but ann's never two at a time.
    assert deliveries.most_at_once == 3
    assert deliveries.done.index(b"bob0") < deliveries.done.index(b"ann1")


async def test_no_more_than_the_concurrency_at_once() -> None:
    deliveries = Deliveries()
    await BatchDelivery(deliveries, concurrency=3)(
        _records(*((b"user%d" % i, b"mail%d" % i) for i in range(20)))
    )
    assert len(deliveries.done) == 20
    assert deliveries.most_at_once == 3


async def test_a_failure_stops_its_user_and_is_raised_once_the_others_are_done() -> None:
    deliveries = Deliveries(fail={b"ann1"})
    batch = _records(
        (b"ann", b"ann0"),
        (b"ann", b"ann1"),
        (b"ann", b"ann2"),
        *((b"bob", b"bob%d" % i) for i in range(6)),
    )
    with pytest.raises(RuntimeError, match="ann1"):
        await BatchDelivery(deliveries, concurrency=4)(batch)
    # ann's later mail waits for the redelivery; everyone else's went out before the error.
    assert b"ann2" not in deliveries.done
    assert deliveries.done.count(b"ann0") == 1
    assert [raw for raw in deliveries.done if raw.startswith(b"bob")] == [
        b"bob%d" % i for i in range(6)
    ]
    assert deliveries.running == 0


async def test_records_without_a_key_or_value_are_still_delivered() -> None:
    deliveries = Deliveries()
    await BatchDelivery(deliveries, concurrency=2)([Record(None, b"junk"), Record(b"k", None)])
    assert sorted(deliveries.done) == [b"", b"junk"]


def _consumer_record(offset: int, headers: list[tuple[str, bytes | None]]) -> ConsumerRecord:
    return ConsumerRecord(
        "events",
        0,
        offset,
        0,
        0,
        b"key",
        b"value",
        None,
        3,
        5,
        headers,  # type: ignore[arg-type]
    )


async def test_a_header_that_is_not_utf8_does_not_hide_the_batch_from_the_mailer() -> None:
    parser = AioKafkaBatchParser(msg_class=KafkaMessage, regex=None)
    batch = (
        _consumer_record(0, [("event_id", b"fine")]),
        _consumer_record(1, [("junk", b"\xff\xfe"), ("empty", None)]),
    )
    with pytest.raises((UnicodeDecodeError, AttributeError)):
        await parser.parse_batch(batch)  # what FastStream does on its own

    message = await with_readable_headers(batch, parser.parse_batch)
    assert [r.value for r in message.raw_message] == [b"value", b"value"]
    assert [r.offset for r in message.raw_message] == [0, 1]


async def test_partitions_are_given_up_once_the_batch_in_hand_is_done() -> None:
    listener = FinishBatchBeforeRebalance(wait_seconds=5)
    revoked = {TopicPartition("events", 0)}
    async with listener.in_hand:
        giving_up = asyncio.create_task(listener.on_partitions_revoked(revoked))
        await asyncio.sleep(0.05)
        assert not giving_up.done()  # the batch is still being mailed
    await asyncio.wait_for(giving_up, 1)


async def test_a_batch_held_up_too_long_does_not_hold_up_the_group(
    caplog: pytest.LogCaptureFixture,
) -> None:
    listener = FinishBatchBeforeRebalance(wait_seconds=0.1)
    async with listener.in_hand:
        await asyncio.wait_for(listener.on_partitions_revoked({TopicPartition("events", 0)}), 1)
    assert "partitions revoked while a batch is still in hand" in caplog.text
