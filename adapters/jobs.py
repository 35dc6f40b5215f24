"""Dramatiq on Redis: the broker every process shares, and enqueueing from async code."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from datetime import timedelta

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AsyncIO

from adapters.logs import request_id

log = logging.getLogger("adapters.jobs")


def dramatiq_broker(redis_url: str) -> RedisBroker:
    broker = RedisBroker(url=redis_url, socket_timeout=2, socket_connect_timeout=2)  # type: ignore[no-untyped-call]
    broker.add_middleware(AsyncIO())
    return broker


def _message(actor_name: str, *args: str) -> dramatiq.Message[None]:
    """A message to an actor by name: the caller need not import the actors."""
    return dramatiq.Message(
        queue_name="default",
        actor_name=actor_name,
        args=args,
        kwargs={},
        options={"request_id": request_id.get()},
    )


def enqueue_by_name(broker: dramatiq.Broker, actor_name: str) -> dramatiq.Message[None]:
    """Enqueue a message to an actor with no arguments (a housekeeping actor, say), by name."""
    return broker.enqueue(_message(actor_name))


async def _enqueue(
    broker: dramatiq.Broker,
    message: dramatiq.Message[None],
    timeout_seconds: float,
    delay_ms: int | None = None,
    **about: str,
) -> bool:
    """Enqueue without blocking the event loop, at most `timeout_seconds`; a failure is logged
    (with `about`) and swallowed: housekeeping enqueues again what is still pending. Whether
    the message was enqueued."""
    try:
        async with asyncio.timeout(timeout_seconds):
            await asyncio.to_thread(broker.enqueue, message, delay=delay_ms)
    except Exception as error:
        log.error(
            "could not enqueue; housekeeping will retry",
            extra={"actor": message.actor_name, **about, "error": repr(error)},
        )
        return False
    return True


class DramatiqJobs:
    """Sends messages to actors by name (so the web process need not import the actors).

    Best effort: when Redis is down the message is not sent, the error is logged, and the
    pending state in PostgreSQL makes housekeeping enqueue it later."""

    def __init__(self, broker: dramatiq.Broker, timeout_seconds: float = 2.0) -> None:
        self._broker = broker
        self._timeout = timeout_seconds

    async def check_email_reputation_later(self, user_id: uuid.UUID) -> None:
        message = _message("check_email_reputation", str(user_id))
        await _enqueue(self._broker, message, self._timeout, user_id=str(user_id))


class DramatiqWebhookQueue:
    """Webhook attempts for the worker's `deliver_webhook` actor, now or after a delay (the
    message waits in Redis, not in a worker). Best effort, as DramatiqJobs; after a failure it
    does not try for `pause_seconds`: an event for many endpoints would otherwise wait out the
    timeout once per endpoint while Redis is away (housekeeping enqueues them when it is back)."""

    def __init__(
        self, broker: dramatiq.Broker, timeout_seconds: float = 2.0, pause_seconds: float = 10.0
    ) -> None:
        self._broker = broker
        self._timeout = timeout_seconds
        self._pause = pause_seconds
        self._paused_until = 0.0

    async def deliver_later(self, delivery_id: uuid.UUID, delay: timedelta = timedelta()) -> None:
        if time.monotonic() < self._paused_until:
            return
        message = _message("deliver_webhook", str(delivery_id))
        delay_ms = max(0, round(delay.total_seconds() * 1000)) or None
        about = {"delivery_id": str(delivery_id)}
        if not await _enqueue(self._broker, message, self._timeout, delay_ms, **about):
            self._paused_until = time.monotonic() + self._pause
