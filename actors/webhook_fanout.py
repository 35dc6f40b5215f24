"""The consumer's second subscriber: account events (the public topic) become webhook
deliveries.

It reads in a consumer group of its own (WEBHOOK_CONSUMER_GROUP), apart from the mailer's, and
commits a batch's offsets only once each of its events is recorded: one delivery per subscribed
endpoint and event, handed to the worker. A batch that fails (the database away) is read again
after a pause, and what it had recorded already is not recorded twice."""

from __future__ import annotations

import asyncio
import logging

from aiokafka.errors import CommitFailedError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, Topic
from faststream.kafka.annotations import KafkaMessage

from adapters.settings import Settings
from core.webhooks.fan_out import FanOutEventHandler, read_published

log = logging.getLogger("actors.webhook_fanout")
PAUSE_SECONDS = 1.0
"""How long a failed batch waits before it is read again."""


def subscribe_fan_out(broker: KafkaBroker, settings: Settings, fan_out: FanOutEventHandler) -> None:
    """Add the subscriber to the consumer's broker (before it starts)."""
    subscriber = broker.subscriber(
        # Created with the other topics by the consumer's start (actors.mailer), or the relay.
        Topic(settings.public_events_topic, declare=False),
        group_id=settings.webhooks.consumer_group,
        # A new group starts at the beginning: endpoints get only the events that occurred after
        # they were registered, so nothing older is sent, and nothing is missed.
        auto_offset_reset="earliest",
        batch=True,
        max_records=100,
        batch_timeout_ms=50,
        ack_policy=AckPolicy.MANUAL,
    )

    @subscriber
    async def on_account_events(message: KafkaMessage) -> None:
        try:
            for record in message.raw_message:
                event = read_published(record.value or b"")
                if event is None:
                    log.warning(
                        "not an account event; no webhook for it",
                        extra={"partition": record.partition, "offset": record.offset},
                    )
                    continue
                await fan_out(event)
        except Exception:
            await asyncio.sleep(PAUSE_SECONDS)
            await message.nack()
            raise
        try:
            await message.ack()
        except CommitFailedError as error:
            # Rebalanced meanwhile: the partitions' new owner reads the batch again and, finding
            # its deliveries recorded, records nothing.
            log.warning("batch recorded but not committed", extra={"error": repr(error)})
