"""Webhook deliveries in core, on fakes: which endpoints an event goes to, what each answer of
a receiver does to a delivery, housekeeping, and the delivery log."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from core.domain import InvalidInput
from core.domain.webhooks import GONE, WebhookEndpoint
from core.housekeeping.webhook_deliveries import PruneWebhookDeliveries, RequeueOverdueDeliveries
from core.webhooks.change_endpoint import (
    ChangeEndpoint,
    ChangeEndpointHandler,
)
from core.webhooks.deliver import INACTIVE, SECRET_LOST, DeliverWebhook
from core.webhooks.fan_out import FanOutEventHandler, read_published
from core.webhooks.list_endpoints import (
    ListDeliveries,
    ListDeliveriesHandler,
)
from core.webhooks.signing import signature
from tests.unit.conftest import START
from tests.unit.webhook_fakes import unreachable
from tests.unit.webhook_steps import OTHER, URL, Hooks


async def test_an_event_goes_once_to_each_active_endpoint_of_its_type_registered_before_it(
    hooks: Hooks, clock: Any
) -> None:
    wanted = (await hooks.create()).endpoint
    await hooks.create(OTHER, ("user.deleted",))
    off = (await hooks.create(OTHER)).endpoint
    await hooks.injector.get(ChangeEndpointHandler)(
        ChangeEndpoint(hooks.admin, off.id, active=False)
    )
    clock.advance(timedelta(hours=1))
    await hooks.create(OTHER)  # after the event: not for it

    event = await hooks.event(minutes=30)
    (delivery,) = hooks.deliveries.rows.values()
    assert (delivery.endpoint_id, delivery.event_id, delivery.status) == (
        wanted.id,
        event.event_id,
        "pending",
    )
    assert hooks.queue.queued == [(delivery.id, timedelta())]
    # The same record read again (a redelivery, a replay) adds nothing.
    assert await hooks.injector.get(FanOutEventHandler)(event) == 0
    assert len(hooks.deliveries.rows) == 1
    assert len(hooks.queue.queued) == 1


async def test_a_2xx_delivers_the_event_as_published_signed_and_once(hooks: Hooks) -> None:
    created = await hooks.create()
    event = await hooks.event()
    (delivery_id, _), deliver = hooks.queue.queued[0], hooks.deliver()

    assert await deliver(DeliverWebhook(delivery_id)) == "delivered"
    ((url, headers, body),) = hooks.sender.sent
    assert (url, body) == (URL, event.body)
    timestamp = int(START.timestamp())
    assert headers == {
        "webhook-id": str(event.event_id),
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(created.secret, str(event.event_id), timestamp, body),
    }
    delivered = hooks.deliveries.rows[delivery_id]
    assert (delivered.attempts, delivered.last_status, delivered.delivered_at) == (1, 204, START)
    assert await deliver(DeliverWebhook(delivery_id)) is None, "a second message sends nothing"
    assert len(hooks.sender.sent) == 1


async def test_failures_are_tried_again_after_a_growing_wait_with_the_same_id(
    hooks: Hooks, clock: Any
) -> None:
    await hooks.create()
    await hooks.event()
    (delivery_id, _), deliver = hooks.queue.queued[0], hooks.deliver()
    hooks.sender.answers[URL] = 500
    assert await deliver(DeliverWebhook(delivery_id)) == "pending"
    assert hooks.queue.queued[-1] == (delivery_id, timedelta(seconds=10))
    # The message is early (or a second one): nothing is sent before the wait is over.
    clock.advance(timedelta(seconds=5))
    assert await deliver(DeliverWebhook(delivery_id)) is None
    clock.advance(timedelta(seconds=5))
    hooks.sender.answers[URL] = unreachable("No answer in time (ReadTimeout).")
    assert await deliver(DeliverWebhook(delivery_id)) == "pending"
    assert hooks.queue.queued[-1] == (delivery_id, timedelta(seconds=20))
    failing = hooks.deliveries.rows[delivery_id]
    assert (failing.attempts, failing.last_status) == (2, None)
    assert failing.last_error == "No answer in time (ReadTimeout)."

    clock.advance(timedelta(seconds=20))
    del hooks.sender.answers[URL]
    assert await deliver(DeliverWebhook(delivery_id)) == "delivered"
    ids = {headers["webhook-id"] for _, headers, _ in hooks.sender.sent}
    assert len(hooks.sender.sent) == 3
    assert len(ids) == 1
    times = [int(headers["webhook-timestamp"]) for _, headers, _ in hooks.sender.sent]
    assert times == sorted(times), "each attempt signs its own time"
    assert times[0] < times[-1]


async def test_a_delivery_a_day_old_fails_for_good(hooks: Hooks, clock: Any) -> None:
    await hooks.create()
    await hooks.event()
    delivery_id = hooks.queue.queued[0][0]
    hooks.deliveries.rows[delivery_id] = replace(hooks.deliveries.rows[delivery_id], attempts=30)
    clock.advance(timedelta(hours=23, minutes=30))
    hooks.sender.answers[URL] = 503
    assert await hooks.deliver()(DeliverWebhook(delivery_id)) == "failed"
    failed = hooks.deliveries.rows[delivery_id]
    assert (failed.attempts, failed.last_status, failed.next_attempt_at) == (31, 503, None)
    assert len(hooks.queue.queued) == 1, "not queued again"


async def test_a_410_fails_the_delivery_and_turns_the_endpoint_off(hooks: Hooks) -> None:
    endpoint = (await hooks.create()).endpoint
    await hooks.event(minutes=1)
    await hooks.event(minutes=2)
    first, second = (delivery_id for delivery_id, _ in hooks.queue.queued)
    hooks.sender.answers[URL] = 410

    assert await hooks.deliver()(DeliverWebhook(first)) == "failed"
    off = hooks.uow.store.webhook_endpoints[endpoint.id]
    assert (off.active, off.deactivated_reason) == (False, GONE)
    assert hooks.deliveries.rows[first].last_status == 410
    # What was pending for it is not sent, and later events are not recorded for it.
    assert await hooks.deliver()(DeliverWebhook(second)) == "failed"
    assert hooks.deliveries.rows[second].last_error == INACTIVE
    await hooks.event(minutes=3)
    assert len(hooks.sender.sent) == 1
    assert len(hooks.deliveries.rows) == 2


async def test_a_secret_that_does_not_open_sends_nothing_and_says_why(hooks: Hooks) -> None:
    endpoint = (await hooks.create()).endpoint
    store = hooks.uow.store.webhook_endpoints
    store[endpoint.id] = dataclasses.replace(endpoint, sealed_secret=b"someone-else|whsec_x")
    await hooks.event()
    delivery_id = hooks.queue.queued[0][0]
    assert await hooks.deliver()(DeliverWebhook(delivery_id)) == "pending"
    assert hooks.deliveries.rows[delivery_id].last_error == SECRET_LOST
    assert hooks.sender.sent == []


async def test_housekeeping_requeues_what_is_overdue_and_prunes_what_is_old(
    hooks: Hooks, clock: Any
) -> None:
    await hooks.create()
    lost, recent, done = [await hooks.event(minutes=m) for m in (1, 2, 3)]
    rows = hooks.deliveries.rows
    by_event = {d.event_id: d.id for d in rows.values()}
    rows[by_event[lost.event_id]] = replace(
        rows[by_event[lost.event_id]], next_attempt_at=START - timedelta(minutes=3)
    )
    rows[by_event[done.event_id]] = replace(rows[by_event[done.event_id]], status="delivered")
    hooks.queue.queued.clear()

    assert await hooks.injector.get(RequeueOverdueDeliveries)() == 1
    assert hooks.queue.queued == [(by_event[lost.event_id], timedelta())]
    assert rows[by_event[lost.event_id]].next_attempt_at == START
    assert await hooks.injector.get(RequeueOverdueDeliveries)() == 0, "not again at once"

    clock.advance(timedelta(days=31))
    assert await hooks.injector.get(PruneWebhookDeliveries)() == 1
    assert set(hooks.deliveries.rows) == {by_event[lost.event_id], by_event[recent.event_id]}


async def test_the_delivery_log_pages_newest_first(hooks: Hooks, clock: Any) -> None:
    endpoint = (await hooks.create()).endpoint
    for minute in range(5):
        clock.advance(timedelta(minutes=1))
        await hooks.event(minutes=minute + 1)
    log = hooks.injector.get(ListDeliveriesHandler)
    seen, cursor = [], None
    while True:
        page = await log(ListDeliveries(hooks.admin, endpoint.id, limit=2, cursor=cursor))
        seen += page.items
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(seen) == 5
    assert len({d.id for d in seen}) == 5
    assert [d.created_at for d in seen] == sorted((d.created_at for d in seen), reverse=True)
    for bad in ({"cursor": "not-one"}, {"limit": 0}, {"limit": 101}):
        with pytest.raises(InvalidInput):
            await log(ListDeliveries(hooks.admin, endpoint.id, **bad))  # type: ignore[arg-type]


def test_only_account_events_are_read_from_the_topic() -> None:
    assert read_published(b"not json") is None
    assert read_published(b'{"type": "user.created"}') is None
    naive = b'{"type": "x", "event_id": "%s", "occurred_at": "2026-01-01T00:00:00"}'
    assert read_published(naive % str(uuid.uuid4()).encode()) is None


def test_an_endpoint_is_told_by_its_host() -> None:
    endpoint = WebhookEndpoint(
        uuid.uuid4(),
        "https://Hooks.Example.com:8443/x?t=1",
        ("user.created",),
        True,
        b"",
        START,
        START,
    )
    assert endpoint.host == "hooks.example.com"
