"""The consumer lag the mailer exports, on the real Kafka: what its group has yet to commit."""

from __future__ import annotations

import uuid

from aiokafka import AIOKafkaConsumer, TopicPartition

from adapters.kafka_lag import consumer_lag
from adapters.relay import kafka_producer

KAFKA = "127.0.0.1:9092"


async def test_lag_counts_the_records_after_the_groups_committed_offset() -> None:
    topic, group = f"lag_test_{uuid.uuid4().hex[:8]}", f"lag_group_{uuid.uuid4().hex[:8]}"
    producer = kafka_producer(KAFKA)
    await producer.start()
    try:
        for i in range(5):
            await producer.send_and_wait(topic, f"record {i}".encode(), partition=0)
    finally:
        await producer.stop()
    partition = TopicPartition(topic, 0)
    consumer = AIOKafkaConsumer(bootstrap_servers=KAFKA, group_id=group, enable_auto_commit=False)
    consumer.assign([partition])
    await consumer.start()
    try:
        # Nothing committed yet: all of it is still to handle.
        assert await consumer_lag(consumer) == {(topic, "0"): 5}
        await consumer.commit({partition: 3})
        assert await consumer_lag(consumer) == {(topic, "0"): 2}
        await consumer.commit({partition: 5})
        assert await consumer_lag(consumer) == {(topic, "0"): 0}
    finally:
        await consumer.stop()
