"""The `consumer` process: `faststream run actors.mailer:app`.

Consumes lifecycle events from Kafka (group `mailer`) in batches and sends their mail; and
account events (group `webhooks`, actors.webhook_fanout) to record their webhook deliveries. The
offsets of a batch are committed only after every mail of it is accepted by the SMTP server
and recorded, or its record is in the DLQ. Metrics (CONSUMER_METRICS_PORT): FastStream's Kafka
middleware counts and times every batch received and record published (the DLQ included), the
mail counters say what became of each event, and the lag of the assigned partitions is read
from Kafka when Prometheus scrapes.
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka.errors import CommitFailedError
from faststream import AckPolicy, FastStream
from faststream.kafka import KafkaBroker, Topic
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import REGISTRY

from actors.mail_batches import BatchDelivery, FinishBatchBeforeRebalance, with_readable_headers
from actors.mail_delivery import MailDelivery
from actors.webhook_fanout import subscribe_fan_out
from adapters.bootstrap.common import topic_layout
from adapters.bootstrap.consumer import consumer_injector
from adapters.health import kafka_probe
from adapters.kafka_lag import consumer_lag
from adapters.kafka_topics import ensure_topics
from adapters.lifecycle import Lifecycle
from adapters.logs import configure_logging
from adapters.metrics import ScrapeTimeGauge, exported_registry, on_loop, serve_metrics
from adapters.settings import Settings
from core.mail.lifecycle import SendLifecycleMailHandler
from core.webhooks.fan_out import FanOutEventHandler

settings = Settings.from_env()
configure_logging(settings.log_level, settings.log_json)
injector = consumer_injector(settings)
# FastStream logs through the JSON handler like every other logger.
log = logging.getLogger("actors.mailer")
broker = KafkaBroker(
    settings.kafka_bootstrap_servers,
    logger=log,
    middlewares=[KafkaPrometheusMiddleware(registry=REGISTRY, app_name="mailer")],
)
topics = topic_layout(settings)
dlq_topic = topics.dead_letters


async def dead_letter(raw: bytes, key: bytes | None, error: str) -> None:
    headers = {"x-error": error[:1000], "x-original-topic": settings.events_topic}
    await broker.publish(raw, topic=dlq_topic, key=key, headers=headers)


delivery = MailDelivery(
    send=injector.get(SendLifecycleMailHandler),
    dead_letter=dead_letter,
    max_attempts=settings.mail_max_attempts,
    retry_seconds=settings.mail_retry_seconds,
    max_backoff_seconds=settings.mail_max_backoff_seconds,
)

# Two records at a time per SMTP connection: while one waits for the server, the other reads
# or writes the database; each holds at most one of the pool's connections (and its overflow).
batch_delivery = BatchDelivery(
    delivery, concurrency=min(2 * settings.smtp_connections, 2 * settings.db_pool_size)
)
# Within the group's rebalance timeout (its session timeout, 10 s).
rebalance_listener = FinishBatchBeforeRebalance(wait_seconds=8)


lifecycle_events = broker.subscriber(
    # Created with its partitions, and the DLQ, by _prepare_kafka before the broker starts.
    Topic(settings.events_topic, declare=False),
    group_id=settings.mail_consumer_group,
    auto_offset_reset="earliest",
    batch=True,
    max_records=settings.mail_batch_size,
    # How long an idle consumer waits for records (twice that between two empty reads).
    batch_timeout_ms=50,
    ack_policy=AckPolicy.MANUAL,
    listener=rebalance_listener,
    parser=with_readable_headers,
)


@lifecycle_events
async def on_lifecycle_events(message: KafkaMessage) -> None:
    async with rebalance_listener.in_hand:
        try:
            await batch_delivery(message.raw_message)
        except Exception:
            # Rewinds each partition to the batch's first record: all of it is read again.
            await message.nack()
            raise
        try:
            await message.ack()
        except CommitFailedError as error:
            # The group rebalanced meanwhile: the partitions' new owner reads these records
            # again and, finding them recorded, sends nothing.
            log.warning("batch done but not committed", extra={"error": repr(error)})


# Account events become webhook deliveries, in a consumer group of their own.
subscribe_fan_out(broker, settings, injector.get(FanOutEventHandler))


async def _prepare_kafka() -> None:
    """Start even while Kafka is down: wait for it instead of exiting (which would stop honcho),
    then create the topics if the relay has not."""
    probe = kafka_probe(settings.kafka_bootstrap_servers, timeout_seconds=5)
    wait = 0.5
    while True:
        try:
            await probe()
            await ensure_topics(settings.kafka_bootstrap_servers, topics)
            return
        except Exception as error:
            log.warning("waiting for kafka", extra={"error": repr(error), "retry_in_s": wait})
            await asyncio.sleep(wait)
            wait = min(wait * 2, settings.mail_max_backoff_seconds)


async def _lag() -> dict[tuple[str, ...], int]:
    consumer = lifecycle_events.consumer
    return await consumer_lag(consumer) if consumer is not None else {}


async def _serve_metrics() -> None:
    lag = ScrapeTimeGauge(
        "kafka_consumer_lag",
        "Records of this consumer's partitions after the group's committed offset (read at "
        "scrape time).",
        ("topic", "partition"),
        on_loop(asyncio.get_running_loop(), _lag, settings.readiness_timeout_seconds),
    )
    # A second consumer on this host finds the port taken: it still delivers mail.
    serve_metrics(exported_registry(lag), settings.metrics_host, settings.consumer_metrics_port)


async def _close() -> None:
    await injector.get(Lifecycle).close()


app = FastStream(
    broker, logger=log, on_startup=[_serve_metrics, _prepare_kafka], on_shutdown=[_close]
)
