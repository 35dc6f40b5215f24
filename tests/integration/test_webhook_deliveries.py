"""Webhook deliveries on the real services: the table's rules (once per endpoint and event,
claimed by one attempt at a time, a 410 turning the endpoint off, housekeeping), the checked
connections to receivers, and the queue of attempts in Redis."""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import orjson
import pytest
import redis.asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from adapters.clock import SystemClock
from adapters.jobs import DramatiqWebhookQueue, dramatiq_broker
from adapters.settings import Settings
from adapters.sql.uow import SqlUnitOfWork
from adapters.sql.webhook_deliveries import SqlWebhookDeliveries
from adapters.webhook_http import HttpWebhookSender, webhook_client
from core.domain.webhooks import GONE, AttemptOutcome, PublishedEvent, WebhookEndpoint
from core.housekeeping.webhook_deliveries import RequeueOverdueDeliveries
from core.ports.webhooks import WebhookUnreachable
from core.webhooks.rules import TargetRules
from tests.processes import free_port
from tests.webhook_receiver import Receiver, receiving

NOW = datetime.now(UTC).replace(microsecond=0)
LOCAL = TargetRules(allow_http=True, allow_private=True)


@pytest.fixture
async def engine(settings: Settings, migrated: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(settings.database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def deliveries(engine: AsyncEngine) -> SqlWebhookDeliveries:
    return SqlWebhookDeliveries(engine)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running


async def stored(
    engine: AsyncEngine,
    types: tuple[str, ...] = ("user.created",),
    *,
    active: bool = True,
    created_at: datetime = NOW,
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        uuid.uuid4(), "https://93.184.215.14/in", types, active, b"sealed", created_at, created_at
    )
    async with SqlUnitOfWork(engine) as uow:
        await uow.webhooks.add(endpoint)
        await uow.commit()
    return endpoint


def event(kind: str = "user.created", at: datetime = NOW) -> PublishedEvent:
    body = orjson.dumps({"type": kind, "event_id": str(uuid.uuid4()), "occurred_at": at})
    return PublishedEvent(uuid.uuid4(), kind, at, body)


async def test_an_event_is_recorded_once_for_each_active_endpoint_of_its_type(
    engine: AsyncEngine, deliveries: SqlWebhookDeliveries
) -> None:
    wanted = await stored(engine, ("user.deleted", "user.created"))
    await stored(engine, ("user.deleted",))
    await stored(engine, active=False)
    await stored(engine, created_at=NOW + timedelta(minutes=1))  # registered after the event
    created = event()

    (new,) = await deliveries.fan_out(created, NOW)
    assert await deliveries.fan_out(created, NOW) == [], "read twice, recorded once"
    (recorded,) = await deliveries.page(wanted.id, 10, None)
    assert (recorded.id, recorded.event_id, recorded.status) == (new, created.event_id, "pending")
    assert recorded.next_attempt_at == NOW
    job = await deliveries.claim(new, NOW, NOW + timedelta(minutes=2))
    assert job is not None
    assert job.body == created.body, "byte for byte as the topic carried it"


async def test_a_delivery_is_in_one_attempts_hands_at_a_time(
    engine: AsyncEngine, deliveries: SqlWebhookDeliveries
) -> None:
    endpoint = await stored(engine)
    (delivery_id,) = await deliveries.fan_out(event(), NOW)
    first = await deliveries.claim(delivery_id, NOW, NOW + timedelta(minutes=2))
    assert first is not None
    assert (first.url, first.active, first.sealed_secret) == (endpoint.url, True, b"sealed")
    assert await deliveries.claim(delivery_id, NOW, NOW + timedelta(minutes=2)) is None

    later = NOW + timedelta(seconds=30)
    await deliveries.settle(
        AttemptOutcome(delivery_id, endpoint.id, NOW, "pending", 1, 500, "500", later)
    )
    assert await deliveries.claim(delivery_id, NOW + timedelta(seconds=20), later) is None
    assert await deliveries.claim(delivery_id, later, later + timedelta(minutes=2)) is not None
    await deliveries.settle(
        AttemptOutcome(delivery_id, endpoint.id, later, "delivered", 2, 200, None)
    )
    (done,) = await deliveries.page(endpoint.id, 10, None)
    assert (done.status, done.attempts, done.last_status, done.last_error) == (
        "delivered",
        2,
        200,
        None,
    )
    assert (done.delivered_at, done.next_attempt_at) == (later, None)
    assert await deliveries.claim(delivery_id, later, later) is None


async def test_a_410_turns_the_endpoint_off(
    engine: AsyncEngine, deliveries: SqlWebhookDeliveries
) -> None:
    endpoint = await stored(engine)
    (delivery_id,) = await deliveries.fan_out(event(), NOW)
    await deliveries.claim(delivery_id, NOW, NOW)
    outcome = AttemptOutcome(delivery_id, endpoint.id, NOW, "failed", 1, 410, "gone")
    await deliveries.settle(dataclasses.replace(outcome, endpoint_gone=True))
    async with SqlUnitOfWork(engine) as uow:
        off = await uow.webhooks.get(endpoint.id)
    assert off is not None
    assert (off.active, off.deactivated_at, off.deactivated_reason) == (False, NOW, GONE)
    assert await deliveries.fan_out(event(), NOW) == []


async def test_housekeeping_finds_the_overdue_and_prunes_the_finished(
    engine: AsyncEngine, deliveries: SqlWebhookDeliveries
) -> None:
    endpoint = await stored(engine, created_at=NOW - timedelta(days=40))
    old = NOW - timedelta(days=31)
    (lost,) = await deliveries.fan_out(event(at=old), old)
    (finished,) = await deliveries.fan_out(event(at=old), old)
    (recent,) = await deliveries.fan_out(event(), NOW)
    await deliveries.settle(AttemptOutcome(finished, endpoint.id, old, "failed", 1, 410, None))

    assert await deliveries.claim_overdue(NOW - timedelta(minutes=2), NOW, 10) == [lost]
    assert await deliveries.claim_overdue(NOW - timedelta(minutes=2), NOW, 10) == []
    assert await deliveries.prune(NOW - timedelta(days=30)) == 1
    left = {d.id for d in await deliveries.page(endpoint.id, 10, None)}
    assert left == {lost, recent}, "pending ones are never pruned"


async def test_overdue_deliveries_are_queued_again_for_the_worker(
    engine: AsyncEngine, deliveries: SqlWebhookDeliveries, settings: Settings
) -> None:
    await stored(engine)
    (delivery_id,) = await deliveries.fan_out(event(), NOW - timedelta(minutes=5))
    queue = DramatiqWebhookQueue(dramatiq_broker(settings.redis_url))
    requeue = RequeueOverdueDeliveries(deliveries, queue, SystemClock())
    assert await requeue() == 1
    async with redis.asyncio.Redis.from_url(settings.redis_url) as client:
        messages = [orjson.loads(m) for m in await client.hvals("dramatiq:default.msgs")]
    assert [(m["actor_name"], m["args"]) for m in messages] == [
        ("deliver_webhook", [str(delivery_id)])
    ]


async def test_a_receiver_gets_the_body_and_headers_and_its_answer_counts(
    receiver: Receiver,
) -> None:
    client = webhook_client(LOCAL, timeout_seconds=2)
    sender = HttpWebhookSender(client)
    receiver.statuses["/failing"] = 500
    receiver.statuses["/moved"] = 302
    try:
        assert await sender.post(receiver.url("/in"), {"webhook-id": "e1"}, b'{"a":1}') == 204
        assert await sender.post(receiver.url("/failing"), {}, b"{}") == 500
        assert await sender.post(receiver.url("/moved"), {}, b"{}") == 302, "not followed"
        (got, _, _) = receiver.received
        assert (got.path, got.body, got.headers["webhook-id"]) == ("/in", b'{"a":1}', "e1")
        assert got.headers["content-type"] == "application/json"
        assert got.headers["user-agent"] == "accounts-webhooks/1"
    finally:
        await client.aclose()


async def test_no_answer_is_unreachable(receiver: Receiver) -> None:
    client = webhook_client(LOCAL, timeout_seconds=0.5)
    sender = HttpWebhookSender(client)
    receiver.delays["/slow"] = 1.5
    try:
        with pytest.raises(WebhookUnreachable, match="No answer in time"):
            await sender.post(receiver.url("/slow"), {}, b"{}")
        receiver.stop()
        with pytest.raises(WebhookUnreachable, match="No answer"):
            await sender.post(receiver.url("/in"), {}, b"{}")
    finally:
        await client.aclose()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])
async def test_without_the_setting_no_connection_goes_to_this_machine(
    receiver: Receiver, host: str
) -> None:
    """Even for a URL that passed registration once: the address is checked at connection."""
    client = webhook_client(TargetRules(allow_http=True), timeout_seconds=2)
    sender = HttpWebhookSender(client)
    try:
        with pytest.raises(WebhookUnreachable, match="may not go to"):
            await sender.post(f"http://{host}:{receiver.port}/in", {}, b"{}")
    finally:
        await client.aclose()
    assert receiver.received == []


async def test_while_redis_is_away_attempts_are_left_to_housekeeping() -> None:
    """One failed enqueue, then none tried for a while: an event for many endpoints does not
    wait out the timeout once per endpoint."""
    down = DramatiqWebhookQueue(dramatiq_broker(f"redis://127.0.0.1:{free_port()}/0"))
    await down.deliver_later(uuid.uuid4())
    started = time.monotonic()
    for _ in range(50):
        await down.deliver_later(uuid.uuid4())
    assert time.monotonic() - started < 0.1
