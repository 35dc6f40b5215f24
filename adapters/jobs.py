"""Dramatiq on Redis: the broker every process shares, and enqueueing from async code."""

from __future__ import annotations

import asyncio
import logging
import uuid

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AsyncIO

from adapters.logs import request_id

log = logging.getLogger("adapters.jobs")


def dramatiq_broker(redis_url: str) -> RedisBroker:
    broker = RedisBroker(url=redis_url, socket_timeout=2, socket_connect_timeout=2)  # type: ignore[no-untyped-call]
    broker.add_middleware(AsyncIO())
    return broker


def enqueue_by_name(broker: dramatiq.Broker, actor_name: str) -> dramatiq.Message[None]:
    """Enqueue a message to an actor with no arguments (a housekeeping actor, say), by name:
    the caller need not import the actors."""
    message: dramatiq.Message[None] = dramatiq.Message(
        queue_name="default",
        actor_name=actor_name,
        args=(),
        kwargs={},
        options={"request_id": request_id.get()},
    )
    return broker.enqueue(message)


class DramatiqJobs:
    """Sends messages to actors by name (so the web process need not import the actors).

    Best effort: when Redis is down the message is not sent, the error is logged, and the
    pending state in PostgreSQL makes housekeeping enqueue it later."""

    def __init__(self, broker: dramatiq.Broker, timeout_seconds: float = 2.0) -> None:
        self._broker = broker
        self._timeout = timeout_seconds

    async def check_email_reputation_later(self, user_id: uuid.UUID) -> None:
        message: dramatiq.Message[None] = dramatiq.Message(
            queue_name="default",
            actor_name="check_email_reputation",
            args=(str(user_id),),
            kwargs={},
            options={"request_id": request_id.get()},
        )
        try:
            async with asyncio.timeout(self._timeout):
                await asyncio.to_thread(self._broker.enqueue, message)
        except Exception as error:
            log.error(
                "could not enqueue; housekeeping will retry",
                extra={
                    "actor": "check_email_reputation",
                    "user_id": str(user_id),
                    "error": repr(error),
                },
            )
