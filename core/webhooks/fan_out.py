"""Each account event becomes a delivery to every endpoint subscribed to its type."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from core.domain.webhooks import PublishedEvent
from core.ports import Clock
from core.ports.webhooks import WebhookDeliveries, WebhookQueue

log = logging.getLogger("core.webhooks")


def read_published(raw: bytes) -> PublishedEvent | None:
    """The event a record of the public topic carries, its body kept byte for byte (it is what
    receivers get, and what the signature covers); None for a record that is no such event."""
    try:
        message = json.loads(raw)
        event = PublishedEvent(
            event_id=uuid.UUID(message["event_id"]),
            type=str(message["type"]),
            occurred_at=datetime.fromisoformat(message["occurred_at"]),
            body=raw,
        )
    except (ValueError, TypeError, KeyError):
        return None
    return event if event.occurred_at.tzinfo is not None else None


@dataclass(frozen=True, slots=True)
class FanOutEventHandler:
    """Records a delivery of the event to every active endpoint subscribed to its type (once:
    a record read again adds nothing), then hands each new one to the worker. Returns how many
    were recorded."""

    deliveries: WebhookDeliveries
    queue: WebhookQueue
    clock: Clock

    async def __call__(self, event: PublishedEvent) -> int:
        new = await self.deliveries.fan_out(event, self.clock.now())
        for delivery_id in new:
            await self.queue.deliver_later(delivery_id)
        if new:
            log.info(
                "webhook deliveries recorded",
                extra={"event_id": str(event.event_id), "type": event.type, "count": len(new)},
            )
        return len(new)
