"""`ops/admin mail dlq list|replay` on the real Kafka, on a topic of the test's own: a record the
mailer set aside goes back onto its topic exactly once."""

from __future__ import annotations

import subprocess
import uuid

import orjson
from aiokafka import AIOKafkaConsumer

from adapters.relay import kafka_producer
from adapters.settings import Settings
from tests.processes import ROOT, environment, key_files

KAFKA = "127.0.0.1:9092"


async def _topic_records(topic: str) -> list[tuple[bytes | None, bytes | None, dict[str, bytes]]]:
    """Every record on the topic so far: key, value, headers."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=KAFKA, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        found = []
        while batch := await consumer.getmany(timeout_ms=3000):
            for records in batch.values():
                found += [(r.key, r.value, dict(r.headers)) for r in records]
        return found
    finally:
        await consumer.stop()


async def test_replay_puts_a_dead_letter_back_on_its_topic_once(
    settings: Settings, migrated: str
) -> None:
    topic = f"dlq_test_{uuid.uuid4().hex[:10]}"
    env = environment(
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url,
        EVENTS_TOPIC=topic,
        MAIL_CONSUMER_GROUP=f"mailer_{topic}",
        COLUMNS="250",  # the table in full, as on a wide terminal
        **key_files(settings),
    )

    def admin(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ROOT / "ops" / "admin"), "mail", "dlq", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    event_id, user_id = str(uuid.uuid4()), str(uuid.uuid4())
    value = orjson.dumps({"event_id": event_id, "type": "user.created", "user_id": user_id})
    producer = kafka_producer(KAFKA)
    await producer.start()
    try:
        # As the mailer's dead_letter (actors/mailer.py) writes it.
        await producer.send_and_wait(
            f"{topic}.dlq",
            value,
            key=user_id.encode(),
            headers=[("x-error", b"SMTP said no"), ("x-original-topic", topic.encode())],
        )
    finally:
        await producer.stop()

    listed = admin("list")
    assert listed.returncode == 0, listed.stderr
    assert event_id in listed.stdout
    assert "SMTP said no" in listed.stdout
    assert "1 not replayed yet" in listed.stdout

    replayed = admin("replay")
    assert replayed.returncode == 0, replayed.stderr
    assert "1 replayed" in replayed.stdout
    ((key, body, headers),) = await _topic_records(topic)
    assert (key, body) == (user_id.encode(), value)
    assert headers["event_id"] == event_id.encode()
    assert headers["type"] == b"user.created"
    assert "x-error" not in headers

    again = admin("replay")
    assert again.returncode == 0, again.stderr
    assert "0 replayed" in again.stdout
    assert len(await _topic_records(topic)) == 1
    assert "0 not replayed yet" in admin("list").stdout
