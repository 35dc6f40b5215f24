"""How far a Kafka consumer is behind on the partitions assigned to it."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer


async def consumer_lag(consumer: AIOKafkaConsumer) -> dict[tuple[str, ...], int]:
    """(topic, partition) -> records after the group's committed offset: what this consumer
    has yet to handle. Where the group has committed nothing, counted from the start of the log,
    which is where `auto_offset_reset="earliest"` begins. Every replica of a consumer reports
    only its own partitions, so the lags add up across replicas."""
    partitions = sorted(consumer.assignment())
    if not partitions:
        return {}
    ends = await consumer.end_offsets(partitions)
    committed = dict(
        zip(
            partitions,
            await asyncio.gather(*(consumer.committed(tp) for tp in partitions)),
            strict=True,
        )
    )
    never = [tp for tp, offset in committed.items() if offset is None]
    if never:
        committed.update(await consumer.beginning_offsets(never))
    return {(tp.topic, str(tp.partition)): max(0, ends[tp] - committed[tp]) for tp in partitions}
