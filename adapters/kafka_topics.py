"""The Kafka topics of lifecycle mail and of public account events, created explicitly rather
than left to the broker's auto-creation (which gives whatever `num.partitions` the broker has,
often one)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

log = logging.getLogger("adapters.kafka_topics")


@dataclass(frozen=True, slots=True)
class TopicLayout:
    """The event topic, its dead-letter topic, the public topic if given, and how they are
    created."""

    events: str
    partitions: int
    replication: int
    public_events: str | None = None
    """Account events for other services; nobody here consumes it, so it has no DLQ."""

    @property
    def dead_letters(self) -> str:
        return f"{self.events}.dlq"

    @property
    def names(self) -> tuple[str, ...]:
        public = (self.public_events,) if self.public_events else ()
        return (self.events, self.dead_letters, *public)


async def ensure_topics(
    bootstrap_servers: str, layout: TopicLayout, timeout_seconds: float = 10.0
) -> None:
    """Create the topics that do not exist yet; several processes may race to do it.

    Raises KafkaError or OSError when Kafka cannot be reached: the caller waits and tries again.
    An existing topic is left as it is: adding partitions to it would move some users' keys to
    another partition while their earlier events may still wait in the old one.
    """
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers, request_timeout_ms=int(timeout_seconds * 1000)
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in layout.names if name not in existing]
        if missing:
            response = await admin.create_topics(
                [NewTopic(name, layout.partitions, layout.replication) for name in missing]
            )
            for result in response.to_object()["topic_errors"]:
                error = for_code(result["error_code"]) if result["error_code"] else None
                if error is not None and error is not TopicAlreadyExistsError:
                    # Another process creating it first is fine; anything else is not.
                    raise error(f"topic {result['topic']}: {result.get('error_message')}")
            log.info(
                "created kafka topics",
                extra={"topics": missing, "partitions": layout.partitions},
            )
        present = [name for name in layout.names if name in existing]
        for description in await admin.describe_topics(present) if present else []:
            count = len(description["partitions"])
            if count < layout.partitions:
                log.warning(
                    "topic has fewer partitions than KAFKA_PARTITIONS; consumers beyond that "
                    "number stay idle (add partitions with kafka-topics.sh --alter)",
                    extra={"topic": description["topic"], "partitions": count},
                )
    finally:
        await admin.close()
