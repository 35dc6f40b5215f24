"""The worker makes one attempt of a delivery: sign, POST, and settle what came of it."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.domain.webhooks import AttemptOutcome, DeliveryJob, DeliveryStatus, WebhookDelivery
from core.ports import Clock
from core.ports.webhooks import (
    WebhookDeliveries,
    WebhookQueue,
    WebhookSecretBox,
    WebhookSender,
    WebhookUnreachable,
)
from core.webhooks.retry import RetrySchedule
from core.webhooks.rules import TargetRules, url_problem
from core.webhooks.signing import signed_headers

IN_HAND = timedelta(minutes=2)
"""How long a claimed delivery is left to its attempt (longer than the connect and read
timeouts together) before housekeeping takes it for lost."""
INACTIVE = "The endpoint is inactive: not sent."
SECRET_LOST = "The endpoint's secret does not open with WEBHOOK_KEY_FILE: give it a new one."


@dataclass(frozen=True, slots=True)
class DeliverWebhook:
    delivery_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class DeliverWebhookHandler:
    """One attempt: the event's body, signed for this attempt (same `webhook-id`, the attempt's
    own timestamp), POSTed to the endpoint. A 2xx answer delivers it; a 410 fails it and turns
    the endpoint off (it wants no more); anything else (another status, a timeout, no
    connection) is tried again after a backoff, for as long as the delivery is younger than the
    retry window, then fails. A delivery that is not pending and due (delivered, failed, or a
    second message for it) is left alone: returns None; else its new status."""

    deliveries: WebhookDeliveries
    sender: WebhookSender
    secret_box: WebhookSecretBox
    queue: WebhookQueue
    clock: Clock
    webhook_retries: RetrySchedule
    webhook_targets: TargetRules
    jitter: Callable[[], float] = random.random

    async def __call__(self, command: DeliverWebhook) -> DeliveryStatus | None:
        now = self.clock.now()
        job = await self.deliveries.claim(command.delivery_id, now, now + IN_HAND)
        if job is None:
            return None
        outcome = await self._attempt(job, now)
        await self.deliveries.settle(outcome)
        if outcome.next_attempt_at is not None:
            await self.queue.deliver_later(job.delivery.id, outcome.next_attempt_at - now)
        return outcome.status

    async def _attempt(self, job: DeliveryJob, now: datetime) -> AttemptOutcome:
        delivery = job.delivery
        if not job.active:
            return _outcome(delivery, now, "failed", delivery.attempts, None, INACTIVE)
        secret = self.secret_box.open(delivery.endpoint_id, job.sealed_secret)
        problem = url_problem(job.url, self.webhook_targets)
        if secret is None or problem is not None:
            return self._again(delivery, now, None, SECRET_LOST if secret is None else problem)
        headers = signed_headers(secret, str(delivery.event_id), int(now.timestamp()), job.body)
        try:
            status = await self.sender.post(job.url, headers, job.body)
        except WebhookUnreachable as error:
            return self._again(delivery, now, None, error.detail)
        attempts = delivery.attempts + 1
        if 200 <= status < 300:
            return _outcome(delivery, now, "delivered", attempts, status, None)
        if status == 410:
            gone = "The receiver answered 410: the endpoint is off."
            return _outcome(delivery, now, "failed", attempts, status, gone, endpoint_gone=True)
        return self._again(delivery, now, status, f"The receiver answered {status}.")

    def _again(
        self, delivery: WebhookDelivery, now: datetime, status: int | None, error: str | None
    ) -> AttemptOutcome:
        """A failed attempt: pending until the next one, or failed once past the window."""
        attempts = delivery.attempts + 1
        at = self.webhook_retries.next_attempt(delivery.created_at, now, attempts, self.jitter())
        state: DeliveryStatus = "pending" if at else "failed"
        return _outcome(delivery, now, state, attempts, status, error, next_attempt_at=at)


def _outcome(
    delivery: WebhookDelivery,
    now: datetime,
    status: DeliveryStatus,
    attempts: int,
    last_status: int | None,
    last_error: str | None,
    *,
    next_attempt_at: datetime | None = None,
    endpoint_gone: bool = False,
) -> AttemptOutcome:
    return AttemptOutcome(
        delivery_id=delivery.id,
        endpoint_id=delivery.endpoint_id,
        at=now,
        status=status,
        attempts=attempts,
        last_status=last_status,
        last_error=last_error,
        next_attempt_at=next_attempt_at,
        endpoint_gone=endpoint_gone,
    )
