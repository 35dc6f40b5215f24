"""Two relays and two consumers of one group, under 500 sign-ups and 50 email changes: every
mail the users' events call for arrives once, each user's in the order of their events, and
both consumers did part of the work."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import time
from collections.abc import Iterator

import psycopg
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from adapters.settings import Settings
from core.events import UserEvent
from core.mail.lifecycle import compose
from tests.processes import wait_until
from tests.system import System, register_all, running_system, unique_names

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def scaled(
    settings: Settings, migrated: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    with running_system(
        settings, tmp_path_factory.mktemp("scaled"), relays=2, consumers=2
    ) as running:
        for consumer in running.consumers:
            # Both in the group with partitions of their own before the load starts.
            wait_until(lambda c=consumer: _assignment(c.output()), 60, "partitions assigned")
        yield running


def _assignment(log: str) -> bool:
    assigned = [line for line in log.splitlines() if "assigned to partitions" in line]
    return bool(assigned) and "TopicPartition" in assigned[-1]


def _change_email(system: System, name: str) -> int:
    with system.client() as client:
        login = {"username": name, "password": "system-pass"}
        token = client.post("/api/v1/token/access", json=login).json()["access_token"]
        return client.patch(
            "/api/v1/users",
            json={"email": f"{name}@changed.example", "current_password": "system-pass"},
            headers={"Authorization": f"Bearer {token}"},
        ).status_code


def _expected_mails(database_url: str, names: list[str]) -> dict[str, list[str]]:
    """User id -> the Message-IDs their events' mails carry, in the order of the events."""
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT o.user_id, o.payload FROM outbox o JOIN users u ON u.id = o.user_id"
            " WHERE u.username = ANY(%s) AND o.topic = 'mail' ORDER BY o.id",
            (names,),
        ).fetchall()
    expected: dict[str, list[str]] = {}
    for user_id, payload in rows:
        # Only the Message-IDs are compared: a link's secret does not matter here.
        mails = compose(UserEvent.from_json(payload), lambda *_: "")
        expected.setdefault(str(user_id), []).extend(m.message_id for m in mails)
    return expected


def _arrived(system: System, wanted: set[str]) -> list[str]:
    """The wanted Message-IDs in MailDev, in the order they arrived (duplicates kept)."""
    ids = (m["headers"].get("message-id") for m in system.mail.messages())
    return [i for i in ids if i in wanted]


async def _partitions(topic: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers="127.0.0.1:9092")
    await admin.start()
    try:
        (description,) = await admin.describe_topics([topic])
        return len(description["partitions"])
    finally:
        await admin.close()


@pytest.mark.timeout(600)
def test_every_mail_once_and_in_order_with_two_consumers_and_two_relays(
    scaled: System, settings: Settings
) -> None:
    names = unique_names(500)
    assert register_all(scaled, names) == [201] * 500
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        changed = list(pool.map(lambda name: _change_email(scaled, name), names[:50]))
    assert changed == [200] * 50

    expected = _expected_mails(settings.database_url, names)
    assert len(expected) == 500
    wanted = {message_id for ids in expected.values() for message_id in ids}
    wait_until(
        lambda: set(_arrived(scaled, wanted)) == wanted, 180, f"{len(wanted)} mails", interval=1
    )
    time.sleep(3)  # anything sent twice would show up now
    arrived = _arrived(scaled, wanted)
    assert len(arrived) == len(wanted), "some mail was sent twice"
    position = {message_id: n for n, message_id in enumerate(arrived)}
    out_of_order = {
        user: ids for user, ids in expected.items() if sorted(ids, key=position.get) != ids
    }
    assert not out_of_order, json.dumps(out_of_order)[:2000]

    for consumer in scaled.consumers:
        assert consumer.running()
        assert '"mail sent"' in consumer.output(), "a consumer sent nothing"
    assert asyncio.run(_partitions(scaled.topic)) == settings.kafka_partitions
