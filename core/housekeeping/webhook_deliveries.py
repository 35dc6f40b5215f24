"""Housekeeping of webhook deliveries: enqueue again the attempts whose message was lost, and
forget finished deliveries after the retention period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.ports import Clock
from core.ports.webhooks import WebhookDeliveries, WebhookQueue
from core.webhooks.deliver import IN_HAND

OVERDUE = IN_HAND
"""How long past due a pending delivery must be to count as lost: longer than an attempt in
hand may take, so an attempt under way is not started twice."""


@dataclass(frozen=True, slots=True)
class RequeueOverdueDeliveries:
    """Enqueue again the pending deliveries overdue by more than OVERDUE (Redis lost their
    message, or the worker died during an attempt), each made due now so that the next run
    leaves it alone for a while. Returns how many were enqueued."""

    deliveries: WebhookDeliveries
    queue: WebhookQueue
    clock: Clock
    batch_size: int = 500

    async def __call__(self) -> int:
        now = self.clock.now()
        overdue = await self.deliveries.claim_overdue(now - OVERDUE, now, self.batch_size)
        for delivery_id in overdue:
            await self.queue.deliver_later(delivery_id)
        return len(overdue)


@dataclass(frozen=True, slots=True)
class PruneWebhookDeliveries:
    """Delete delivered and failed deliveries older than `webhook_retention`
    (WEBHOOK_RETENTION_DAYS); returns how many."""

    deliveries: WebhookDeliveries
    clock: Clock
    webhook_retention: timedelta

    async def __call__(self) -> int:
        return await self.deliveries.prune(self.clock.now() - self.webhook_retention)
