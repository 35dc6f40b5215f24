"""Sign-up, change and deletion over HTTP, each followed by its mail in MailDev."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from urllib.parse import unquote

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from tests.processes import samples, scraped, wait_until
from tests.system import System

pytestmark = pytest.mark.e2e


def _name() -> str:
    return f"u{uuid.uuid4().hex[:10]}"


def test_every_lifecycle_change_sends_its_mail(system: System) -> None:
    name = _name()
    with system.client() as client:
        assert system.register(client, name).status_code == 201
        welcome = system.mail.wait_for(f"{name}@example.com", f"Welcome, {name}")[0]
        assert name in welcome["text"]
        assert "<b>" in welcome["html"]

        token = client.post(
            "/api/v1/token/access", json={"username": name, "password": "system-pass"}
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        new_address = f"{name}@example.org"
        changed = client.patch(
            "/api/v1/users",
            json={
                "email": new_address,
                "password": "new-system-pass",
                "current_password": "system-pass",
            },
            headers=auth,
        )
        assert changed.status_code == 200
        # The current address hears of the password change, and of the new address it can
        # still cancel; the new address is asked to confirm.
        notice = system.mail.wait_for(f"{name}@example.com", "Your account changed")[0]
        assert "password" in notice["text"]
        assert "new-system-pass" not in json.dumps(notice)
        system.mail.wait_for(
            f"{name}@example.com", "Someone asked to change your account's address"
        )
        confirm = system.mail.wait_for(new_address, "Confirm your email address")[0]
        token = system.mail.link(confirm, "verify-email")
        assert client.post("/api/v1/users/verify-email", json={"token": token}).status_code == 204
        system.mail.wait_for(new_address, "Your account changed")
        moved = system.mail.wait_for(
            f"{name}@example.com", "Your account no longer uses this address"
        )
        assert "/cancel-email-change?token=" in moved[0]["text"]

        # The password change ended every session: sign in again with the new password.
        token = client.post(
            "/api/v1/token/access", json={"username": name, "password": "new-system-pass"}
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        deleted = client.request(
            "DELETE", "/api/v1/users", json={"password": "new-system-pass"}, headers=auth
        )
        assert deleted.status_code == 204
        system.mail.wait_for(new_address, "Your account was deleted")

    metrics = httpx.get(system.consumer_metrics, timeout=5).text
    assert "mail_events_processed_total" in metrics
    # FastStream's Kafka middleware counted the records; the lag of each partition of the topic
    # falls to 0 once the last offset is committed, just after the last mail went out.
    assert scraped(system.consumer_metrics, "faststream_received_messages_total") >= 3

    def lag() -> list[float]:
        found = samples(system.consumer_metrics, "kafka_consumer_lag", topic=system.topic)
        return [sample.value for sample in found]

    wait_until(lambda: (partitions := lag()) and not any(partitions), 10, "no consumer lag")
    assert scraped(system.relay_metrics, "outbox_published_total") >= 3
    assert "outbox_backlog" in httpx.get(system.web_metrics, timeout=5).text

    # Exactly one of each, even though the consumer commits only after sending.
    assert len(system.mail.to(f"{name}@example.com", f"Welcome, {name}")) == 1
    assert len(system.mail.to(new_address, "Your account changed")) == 1


def _token_in(mail: dict, page: str) -> str:
    match = re.search(rf"/{page}\?token=(\S+)", mail["text"])
    assert match, mail["text"]
    return unquote(match.group(1))


def test_mailed_tokens_confirm_the_address_and_reset_the_password(system: System) -> None:
    name = _name()
    address = f"{name}@example.com"
    with system.client() as client:
        assert system.register(client, name).status_code == 201
        confirmation = system.mail.wait_for(address, "Confirm your email address")[0]
        token = _token_in(confirmation, "verify-email")
        assert token in confirmation["text"]

        assert client.post("/api/v1/users/verify-email", json={"token": token}).status_code == 204
        access = client.post(
            "/api/v1/token/access", json={"username": name, "password": "system-pass"}
        ).json()["access_token"]
        profile = client.get("/api/v1/users", headers={"Authorization": f"Bearer {access}"})
        assert profile.json()["email_verified"] is True

        assert client.post("/api/v1/password/forgot", json={"email": address}).status_code == 202
        reset_mail = system.mail.wait_for(address, "Reset your password")[0]
        reset = client.post(
            "/api/v1/password/reset",
            json={"token": _token_in(reset_mail, "reset-password"), "new_password": "reset-pass"},
        )
        assert reset.status_code == 204, reset.text
        login = client.post(
            "/api/v1/token/access", json={"username": name, "password": "reset-pass"}
        )
        assert login.status_code == 200
        notice = system.mail.wait_for(address, "Your account changed")[0]
        assert "password" in notice["text"]
    # Tokens travel in mail only: no process logs them.
    for process in system.processes:
        assert token not in process.output()


async def test_a_garbage_record_goes_to_the_dlq_and_the_consumer_goes_on(system: System) -> None:
    producer = AIOKafkaProducer(bootstrap_servers="127.0.0.1:9092")
    await producer.start()
    try:
        await producer.send_and_wait(system.topic, b"\x00 this is not an event", key=b"junk")
        await producer.send_and_wait(system.topic, b'{"type": "user.exploded"}', key=b"junk")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        f"{system.topic}.dlq",
        bootstrap_servers="127.0.0.1:9092",
        auto_offset_reset="earliest",
        group_id=f"dlq-reader-{uuid.uuid4().hex[:6]}",
    )
    await consumer.start()
    try:
        records = []
        async with asyncio.timeout(30):
            while len(records) < 2:
                batch = await consumer.getmany(timeout_ms=1000)
                for partition_records in batch.values():
                    records.extend(partition_records)
    finally:
        await consumer.stop()
    values = sorted(r.value for r in records)
    assert values == sorted([b"\x00 this is not an event", b'{"type": "user.exploded"}'])
    for record in records:
        headers = dict(record.headers)
        assert headers["x-error"].startswith(b"unparseable")

    name = _name()
    with system.client() as client:
        assert system.register(client, name).status_code == 201
    system.mail.wait_for(f"{name}@example.com", f"Welcome, {name}")
    assert system.consumer.running()
    wait_until(lambda: "unparseable record sent to the DLQ" in system.consumer.output(), 5, "log")
