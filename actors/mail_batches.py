"""How the mailer takes a batch of Kafka records: different users' mails go out concurrently,
one user's in the order of their events, and the batch is done only when every record is."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiokafka import ConsumerRebalanceListener, ConsumerRecord, TopicPartition

log = logging.getLogger("actors.mailer")


class Record(Protocol):
    """What the mailer reads of a Kafka record (aiokafka's ConsumerRecord)."""

    @property
    def key(self) -> bytes | None: ...

    @property
    def value(self) -> bytes | None: ...


@dataclass
class BatchDelivery:
    """Delivers a batch: records grouped by key (the user id), the groups concurrently, each
    group in order, at most `concurrency` records at a time.

    Returns once every record is delivered (or dead-lettered). When a record fails, the later
    records of its user are not touched and the other groups still finish; then the first error
    is raised, so that nothing of the batch is committed and it is read again (what was already
    sent is recorded, and sends nothing the second time).
    """

    deliver: Callable[[bytes, bytes | None], Awaitable[None]]
    concurrency: int

    async def __call__(self, records: Sequence[Record]) -> None:
        by_key: dict[bytes | None, list[Record]] = {}
        for record in records:
            by_key.setdefault(record.key, []).append(record)
        slots = asyncio.Semaphore(self.concurrency)

        async def in_order(group: list[Record]) -> None:
            for record in group:
                async with slots:
                    await self.deliver(record.value or b"", record.key)

        outcomes = await asyncio.gather(
            *(in_order(group) for group in by_key.values()), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome


@dataclass
class FinishBatchBeforeRebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    """Lets the batch in hand finish (and its offsets be committed) before this consumer gives
    its partitions up, so the consumer taking them over does not mail the same records at the
    same time. Waits at most `wait_seconds`, within the group's rebalance timeout: a batch held
    up by an outage is left to the idempotency record."""

    wait_seconds: float
    in_hand: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        if not revoked:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.wait_seconds), self.in_hand:
                return
        log.warning("partitions revoked while a batch is still in hand")

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        return None


async def with_readable_headers(
    records: tuple[ConsumerRecord[bytes, bytes], ...],
    parse: Callable[[tuple[ConsumerRecord[bytes, bytes], ...]], Awaitable[Any]],
) -> Any:
    """FastStream's batch parser, given records whose headers it can decode.

    It decodes every header of every record as UTF-8 before the handler runs; one header that
    is not (or has no value) fails the whole batch, which is then passed over unread. The
    mailer reads no header, so such values are decoded leniently instead."""
    return await parse(tuple(_readable(record) for record in records))


def _readable(record: ConsumerRecord[bytes, bytes]) -> ConsumerRecord[bytes, bytes]:
    try:
        for _, value in record.headers:
            value.decode()
        return record
    except (AttributeError, UnicodeDecodeError):
        headers = [(k, (v or b"").decode(errors="replace").encode()) for k, v in record.headers]
        return dataclasses.replace(record, headers=headers)
