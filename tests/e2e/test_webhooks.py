"""Webhooks end to end: web, relay and consumer as the Procfile starts them, and a Dramatiq worker
on the tests' Redis database, deliver account events to a local receiver, which verifies each
with the README's function. The receiver goes down, fails, and answers 410."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
import redis
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.jobs import dramatiq_broker, enqueue_by_name
from adapters.relay import kafka_producer
from adapters.settings import Settings
from adapters.sql.webhook_deliveries import SqlWebhookDeliveries
from core.domain.webhooks import GONE, PublishedEvent
from tests.processes import Process, free_port, wait_until
from tests.system import System, running_system
from tests.webhook_receiver import Receiver, readme_verify, receiving

pytestmark = pytest.mark.e2e

KAFKA = "127.0.0.1:9092"
WEBHOOKS = "/api/v1/admin/webhooks"
VERIFY = readme_verify()


def _dsn(settings: Settings) -> str:
    return settings.database_url.replace("+psycopg", "")


@pytest.fixture(scope="module")
def system(
    settings: Settings, migrated: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    # Endpoints of another run point at receivers long gone: each run starts and ends without.
    def no_endpoints() -> None:
        with psycopg.connect(_dsn(settings), autocommit=True) as db:
            db.execute("TRUNCATE webhook_endpoints, webhook_deliveries")

    no_endpoints()
    with running_system(
        settings,
        tmp_path_factory.mktemp("webhooks"),
        WEBHOOK_ALLOW_HTTP="true",
        WEBHOOK_ALLOW_PRIVATE_TARGETS="true",
        WEBHOOK_RETRY_BASE_SECONDS="0.2",
        WEBHOOK_RETRY_MAX_SECONDS="1",
        WEBHOOK_TIMEOUT_SECONDS="2",
    ) as running:
        try:
            yield running
        finally:
            no_endpoints()


@pytest.fixture(scope="module")
def worker(
    system: System, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Process]:
    redis.Redis.from_url(settings.redis_url).flushdb()
    env = {**system.web.env, "WORKER_METRICS_PORT": str(free_port())}
    process = Process("worker", env, tmp_path_factory.mktemp("worker") / "worker.log").start()
    try:
        wait_until(lambda: "Worker process is ready" in process.output(), 60, "the worker")
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running


@pytest.fixture(scope="module")
def admin(system: System, settings: Settings) -> dict[str, str]:
    name = f"root{uuid.uuid4().hex[:8]}"
    with system.client() as client:
        assert system.register(client, name).status_code == 201
        with psycopg.connect(_dsn(settings), autocommit=True) as db:
            db.execute("UPDATE users SET roles = '{admin}' WHERE username = %s", (name,))
        login = {"username": name, "password": "system-pass"}
        token = client.post("/api/v1/token/access", json=login).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def register_endpoint(
    system: System, admin: dict[str, str], url: str, *types: str
) -> dict[str, Any]:
    with system.client() as client:
        body = {"url": url, "event_types": list(types or ("user.created",))}
        response = client.post(WEBHOOKS, json=body, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def sign_up(system: System) -> str:
    """A new account (its user.created event goes out); returns its id."""
    name = f"w{uuid.uuid4().hex[:10]}"
    with system.client() as client:
        response = system.register(client, name)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def deliveries(system: System, admin: dict[str, str], endpoint: dict[str, Any]) -> list[dict]:
    with system.client() as client:
        response = client.get(f"{WEBHOOKS}/{endpoint['id']}/deliveries", headers=admin)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def for_user(receiver: Receiver, path: str, user_id: str) -> list[Any]:
    return [r for r in receiver.to(path) if f'"user_id":"{user_id}"' in r.body.decode()]


async def test_an_account_event_reaches_each_endpoint_signed_and_once(
    system: System, worker: Process, receiver: Receiver, admin: dict[str, str]
) -> None:
    first = register_endpoint(system, admin, receiver.url("/first"))
    second = register_endpoint(
        system, admin, receiver.url("/second"), "user.created", "user.deleted"
    )
    user_id = sign_up(system)

    wait_until(lambda: for_user(receiver, "/first", user_id), 60, "the event at /first")
    wait_until(lambda: for_user(receiver, "/second", user_id), 30, "the event at /second")
    (got,) = for_user(receiver, "/first", user_id)
    assert VERIFY(first["secret"], got.headers, got.body)
    assert not VERIFY(
        first["secret"], got.headers, got.body.replace(b"user.created", b"user.deleted")
    )
    assert not VERIFY(second["secret"], got.headers, got.body), "signed for /first only"
    (other,) = for_user(receiver, "/second", user_id)
    assert VERIFY(second["secret"], other.headers, other.body)
    assert got.body == other.body, "the event as published, for each endpoint"
    event = json.loads(got.body)
    assert (event["type"], event["user_id"]) == ("user.created", user_id)
    assert got.headers["webhook-id"] == other.headers["webhook-id"] == event["event_id"]

    # The same record on the topic again (a relay that restarted before marking it sent).
    producer = kafka_producer(KAFKA)
    await producer.start()
    try:
        await producer.send_and_wait(system.public_topic, got.body, key=user_id.encode())
    finally:
        await producer.stop()
    time.sleep(3)
    assert len(for_user(receiver, "/first", user_id)) == 1
    assert len(for_user(receiver, "/second", user_id)) == 1
    (logged,) = [d for d in deliveries(system, admin, first) if d["event_id"] == event["event_id"]]
    assert (logged["status"], logged["attempts"], logged["last_status"]) == ("delivered", 1, 204)
    assert "whsec_" not in system.web.output() + worker.output(), "no secret in a log line"
    assert got.headers["webhook-signature"] not in worker.output()


def test_a_receiver_down_for_a_while_gets_the_event_once_it_is_back(
    system: System, worker: Process, admin: dict[str, str]
) -> None:
    flaky = Receiver().start()
    try:
        endpoint = register_endpoint(system, admin, flaky.url("/flaky"))
        flaky.stop()
        user_id = sign_up(system)

        def failing() -> list[dict]:
            found = deliveries(system, admin, endpoint)
            return [d for d in found if d["attempts"] >= 2 and d["last_error"]]

        (down,) = wait_until(failing, 60, "attempts at a receiver that is down")
        assert down["status"] == "pending"
        assert down["last_status"] is None
        assert "No answer" in down["last_error"]
        flaky.statuses["/flaky"] = 503
        flaky.start()
        wait_until(lambda: flaky.to("/flaky"), 20, "an attempt answered 503")
        del flaky.statuses["/flaky"]
        wait_until(lambda: [r for r in flaky.to("/flaky") if r.answered == 204], 20, "delivery")
        time.sleep(2)
    finally:
        flaky.stop()
    attempts = flaky.to("/flaky")
    assert [r.answered for r in attempts][-1] == 204
    assert [r.answered for r in attempts].count(204) == 1, "delivered once"
    assert len({r.headers["webhook-id"] for r in attempts}) == 1, "the same id on every attempt"
    assert all(VERIFY(endpoint["secret"], r.headers, r.body) for r in attempts)
    assert f'"user_id":"{user_id}"' in attempts[-1].body.decode()
    (done,) = deliveries(system, admin, endpoint)
    assert done["status"] == "delivered"
    assert done["attempts"] >= len(attempts) + 2, "the attempts while down count too"


def test_a_410_turns_the_endpoint_off_for_good(
    system: System, worker: Process, receiver: Receiver, admin: dict[str, str]
) -> None:
    receiver.statuses["/gone"] = 410
    gone = register_endpoint(system, admin, receiver.url("/gone"))
    witness = register_endpoint(system, admin, receiver.url("/witness"))
    sign_up(system)
    wait_until(lambda: receiver.to("/gone"), 60, "the attempt answered 410")

    def turned_off() -> dict[str, Any] | None:
        with system.client() as client:
            found = client.get(f"{WEBHOOKS}/{gone['id']}", headers=admin).json()
        return found if not found["active"] else None

    off = wait_until(turned_off, 20, "the endpoint turned off")
    assert off["deactivated_reason"] == GONE
    (failed,) = deliveries(system, admin, gone)
    assert (failed["status"], failed["last_status"], failed["attempts"]) == ("failed", 410, 1)

    later = sign_up(system)
    wait_until(lambda: for_user(receiver, "/witness", later), 60, "the next event elsewhere")
    time.sleep(1)
    assert len(receiver.to("/gone")) == 1, "nothing more for an endpoint that answered 410"
    assert len(deliveries(system, admin, gone)) == 1
    assert len(deliveries(system, admin, witness)) == 2


async def test_a_delivery_whose_message_was_lost_is_sent_by_housekeeping(
    system: System, worker: Process, receiver: Receiver, admin: dict[str, str], settings: Settings
) -> None:
    endpoint = register_endpoint(system, admin, receiver.url("/lost"), "session.ended")
    # A delivery recorded five minutes ago whose message Redis lost: none was enqueued.
    when = datetime.now(UTC) - timedelta(minutes=5)
    body = b'{"type":"session.ended","event_id":"%s"}' % str(uuid.uuid4()).encode()
    engine = create_async_engine(settings.database_url)
    try:
        event = PublishedEvent(uuid.uuid4(), "session.ended", datetime.now(UTC), body)
        (delivery_id,) = await SqlWebhookDeliveries(engine).fan_out(event, when)
    finally:
        await engine.dispose()
    # What the scheduler enqueues every minute.
    enqueue_by_name(dramatiq_broker(settings.redis_url), "requeue_overdue_webhook_deliveries")
    (got,) = wait_until(lambda: receiver.to("/lost"), 30, "the lost delivery")
    assert got.body == body
    assert VERIFY(endpoint["secret"], got.headers, got.body)
    (done,) = deliveries(system, admin, endpoint)
    assert (done["id"], done["status"]) == (str(delivery_id), "delivered")
