"""The `consumer` process: `faststream run actors.mailer:app`.

Consumes lifecycle events from Kafka (group `mailer`) and sends their mail. The offset is
committed only after the mail is accepted by the SMTP server, or the record is in the DLQ.
Metrics (CONSUMER_METRICS_PORT): FastStream's Kafka middleware counts and times every record
received and published (the DLQ included), the mail counters say what became of each event, and
the lag of the assigned partitions is read from Kafka when Prometheus scrapes.
"""

from __future__ import annotations

import asyncio
import logging

from faststream import AckPolicy, FastStream
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import REGISTRY

from actors.mail_delivery import MailDelivery
from adapters.bootstrap.consumer import consumer_injector
from adapters.health import kafka_probe
from adapters.kafka_lag import consumer_lag
from adapters.lifecycle import Lifecycle
from adapters.logs import configure_logging
from adapters.metrics import ScrapeTimeGauge, exported_registry, on_loop, serve_metrics
from adapters.settings import Settings
from core.mail.lifecycle import SendLifecycleMailHandler

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
dlq_topic = f"{settings.events_topic}.dlq"


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


lifecycle_events = broker.subscriber(
    settings.events_topic,
    group_id=settings.mail_consumer_group,
    auto_offset_reset="earliest",
    # Commit after the handler returns; an exception rewinds to the record to try it again.
    ack_policy=AckPolicy.NACK_ON_ERROR,
)


@lifecycle_events
async def on_lifecycle_event(message: KafkaMessage) -> None:
    await delivery(message.body, message.raw_message.key)  # type: ignore[union-attr]


async def _wait_for_kafka() -> None:
    """Start even while Kafka is down: wait for it instead of exiting (which would stop honcho)."""
    probe = kafka_probe(settings.kafka_bootstrap_servers, timeout_seconds=5)
    wait = 0.5
    while True:
        try:
            await probe()
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
    broker, logger=log, on_startup=[_serve_metrics, _wait_for_kafka], on_shutdown=[_close]
)
