"""Account events for other services, read from their Kafka topic as another service would; and
a security notice, read in MailDev as its recipient would."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import httpx
import jsonschema_rs
import pytest
from aiokafka import AIOKafkaConsumer

from tests.conftest import ROOT
from tests.system import System

pytestmark = pytest.mark.e2e

KAFKA = "127.0.0.1:9092"
EXPECTED = [
    "user.created",
    "user.email_confirmed",
    "user.updated",
    "user.password_changed",
    "user.deleted",
]


async def _records_of(topic: str, keys: set[bytes], count: int) -> list:
    """The records of `topic` with these keys, from the start: at least `count`, and whatever
    else arrives in the two seconds after (a duplicate would)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=KAFKA,
        auto_offset_reset="earliest",
        group_id=f"other-service-{uuid.uuid4().hex[:6]}",
    )
    await consumer.start()
    records: list = []
    try:

        async def read(timeout_ms: int) -> None:
            for batch in (await consumer.getmany(timeout_ms=timeout_ms)).values():
                records.extend(r for r in batch if r.key in keys)

        async with asyncio.timeout(60):
            while len(records) < count:
                await read(500)
        await asyncio.sleep(2)
        await read(1000)
    finally:
        await consumer.stop()
    return records


def _bearer(client: httpx.Client, username: str, password: str) -> dict[str, str]:
    login = {"username": username, "password": password}
    token = client.post("/api/v1/token/access", json=login).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _life_of_an_account(system: System, name: str) -> str:
    """Sign up, confirm, rename and change the password, delete; returns the user id."""
    with system.client() as client:
        assert system.register(client, name).status_code == 201
        confirm = system.mail.wait_for(f"{name}@example.com", "Confirm your email address")[0]
        token = system.mail.link(confirm, "verify-email")
        assert client.post("/api/v1/users/verify-email", json={"token": token}).status_code == 204
        auth = _bearer(client, name, "system-pass")
        user_id = client.get("/api/v1/users", headers=auth).json()["id"]
        changed = client.patch(
            "/api/v1/users",
            json={
                "username": f"{name}_2",
                "password": "system-pass-2",
                "current_password": "system-pass",
            },
            headers=auth,
        )
        assert changed.status_code == 200, changed.text
        auth = _bearer(client, f"{name}_2", "system-pass-2")
        deleted = client.request(
            "DELETE", "/api/v1/users", json={"password": "system-pass-2"}, headers=auth
        )
        assert deleted.status_code == 204
    return str(user_id)


async def test_every_account_event_reaches_the_public_topic_once_and_in_order(
    system: System,
) -> None:
    names = [f"p{uuid.uuid4().hex[:8]}" for _ in range(2)]
    users = await asyncio.gather(
        *(asyncio.to_thread(_life_of_an_account, system, name) for name in names)
    )

    keys = {user.encode() for user in users}
    records = await _records_of(system.public_topic, keys, count=len(EXPECTED) * len(users))

    document = json.loads((ROOT / "docs" / "asyncapi.json").read_text())
    (message,) = document["components"]["messages"].values()
    schema = jsonschema_rs.validator_for(
        {"$ref": message["payload"]["$ref"], "components": document["components"]}
    )
    for user in users:
        mine = [r for r in records if r.key == user.encode()]
        events = [json.loads(r.value) for r in mine]
        assert [e["type"] for e in events] == EXPECTED, "each once, in the order they happened"
        assert len({r.partition for r in mine}) == 1
        assert len({e["event_id"] for e in events}) == len(EXPECTED)
        for record, event in zip(mine, events, strict=True):
            assert event["user_id"] == user
            assert dict(record.headers) == {
                "event_id": event["event_id"].encode(),
                "type": event["type"].encode(),
            }
            assert schema.is_valid(event), event
        assert events[2]["changed"] == ["username"]
        assert "system-pass" not in str(events)


def test_a_locked_account_is_mailed_once(system: System) -> None:
    name = f"l{uuid.uuid4().hex[:8]}"
    with system.client() as client:
        assert system.register(client, name).status_code == 201
        for _ in range(8):  # LOGIN_LOCKOUT is 5/900: the fifth locks, the rest are refused
            client.post("/api/v1/token/access", json={"username": name, "password": "w0rong-Gu3ss"})
    address = f"{name}@example.com"
    (notice,) = system.mail.wait_for(address, "Too many failed sign-ins to your account")
    assert "w0rong-Gu3ss" not in json.dumps(notice)
    time.sleep(2)  # a second notice would be here by now
    assert len(system.mail.to(address, "Too many failed sign-ins to your account")) == 1
