"""Dramatiq actors: the `worker` process (`python -m actors.worker`, dramatiq on this module) runs
them, the `scheduler` process (`python -m actors.scheduler`, exactly one) enqueues the periodic
ones on their cron."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dramatiq
from dramatiq.middleware import CurrentMessage
from injector import Injector
from periodiq import cron

from actors import job_metrics
from adapters.bootstrap.worker import job_broker, worker_injector
from adapters.logs import configure_logging, request_id
from adapters.settings import Settings
from core.email_reputation.check import CheckEmailReputation, CheckEmailReputationHandler
from core.email_reputation.give_up import GiveUpEmailCheck, GiveUpEmailCheckHandler
from core.housekeeping.delete_rejected_accounts import DeleteRejectedAccounts
from core.housekeeping.prune_audit_trail import PruneAuditTrail
from core.housekeeping.prune_bookkeeping import PruneBookkeeping
from core.housekeeping.requeue_stale_checks import RequeueStaleChecks
from core.housekeeping.webhook_deliveries import PruneWebhookDeliveries, RequeueOverdueDeliveries
from core.ports import EmailCheckMisconfigured
from core.webhooks.deliver import DeliverWebhook, DeliverWebhookHandler

settings = Settings.from_env()
configure_logging(settings.log_level, settings.log_json)
log = logging.getLogger("actors.tasks")
dramatiq.set_broker(job_broker(settings, *job_metrics.middleware(), CurrentMessage()))


@functools.cache
def handlers() -> Injector:
    """Built on the first message, so the scheduler, which only enqueues, opens nothing."""
    return worker_injector(settings)


@contextmanager
def _traced(message_options: dict[str, Any] | None = None) -> Iterator[None]:
    """Log with the request id of the HTTP request that caused this message."""
    if message_options is None:
        message = CurrentMessage.get_current_message()
        message_options = message.options if message else {}
    token = request_id.set(message_options.get("request_id"))
    try:
        yield
    finally:
        request_id.reset(token)


_REPUTATION_CHECK: dict[str, Any] = {
    "max_retries": settings.verify_max_retries,
    "min_backoff": settings.verify_min_backoff_ms,
    "max_backoff": settings.verify_max_backoff_ms,
    "time_limit": 60_000,
    # A refused API key is for an operator to fix: no retries (housekeeping tries again later).
    "throws": (EmailCheckMisconfigured,),
    "on_retry_exhausted": "give_up_email_check",
}


async def _check(user_id: str) -> None:
    with _traced():
        command = CheckEmailReputation(uuid.UUID(user_id))
        status = await handlers().get(CheckEmailReputationHandler)(command)
        log.info("email checked", extra={"user_id": user_id, "email_status": status})


@dramatiq.actor(actor_name="check_email_reputation", **_REPUTATION_CHECK)
async def check_email_reputation(user_id: str) -> None:
    """Check a pending address with the reputation service; failures are retried with backoff."""
    await _check(user_id)


# The name this actor had before: messages queued by an older release still carry it. Remove
# once no `verify_email` message is left in the queues (see the README's upgrade note).
@dramatiq.actor(actor_name="verify_email", **_REPUTATION_CHECK)
async def verify_email(user_id: str) -> None:
    await _check(user_id)


@dramatiq.actor(max_retries=3, time_limit=30_000)
async def give_up_email_check(message_data: dict[str, Any], retry_info: dict[str, Any]) -> None:
    """The reputation check ran out of retries (its message is in the dead-letter queue)."""
    user_id = message_data["args"][0]
    # The request id of the check that gave up, not of this callback's own message.
    with _traced(message_data.get("options") or {}):
        await handlers().get(GiveUpEmailCheckHandler)(GiveUpEmailCheck(uuid.UUID(user_id)))
        log.warning("email check gave up; status unknown", extra={"user_id": user_id})


async def _requeue_stale() -> None:
    count = await handlers().get(RequeueStaleChecks)()
    if count:
        log.info("re-enqueued stale email checks", extra={"count": count})


@dramatiq.actor(periodic=cron("* * * * *"), max_retries=0, time_limit=120_000)
async def requeue_stale_email_checks() -> None:
    await _requeue_stale()


# Its name before, kept for messages still queued; remove with `verify_email`.
@dramatiq.actor(actor_name="requeue_stale_verifications", max_retries=0, time_limit=120_000)
async def requeue_stale_verifications() -> None:
    await _requeue_stale()


@dramatiq.actor(periodic=cron("43 3 * * *"), max_retries=0, time_limit=600_000)
async def delete_rejected_accounts() -> None:
    count = await handlers().get(DeleteRejectedAccounts)()
    log.info("deleted accounts whose address stayed rejected", extra={"count": count})


@dramatiq.actor(periodic=cron("17 * * * *"), max_retries=0, time_limit=600_000)
async def prune_bookkeeping() -> None:
    pruned = await handlers().get(PruneBookkeeping)()
    log.info("pruned bookkeeping rows", extra=pruned)


@dramatiq.actor(periodic=cron("47 * * * *"), max_retries=0, time_limit=600_000)
async def prune_audit_trail() -> None:
    """Hourly, so that each run deletes about an hour's worth of events."""
    pruned = await handlers().get(PruneAuditTrail)()
    log.info("pruned security events", extra={"count": pruned})


# Retries of a delivery are messages of their own, sent by the handler with the backoff as their
# delay: these retries are for the worker's own troubles (the database away), and housekeeping
# enqueues again whatever still waits after them.
@dramatiq.actor(max_retries=5, min_backoff=1_000, max_backoff=60_000, time_limit=60_000)
async def deliver_webhook(delivery_id: str) -> None:
    """One attempt of a webhook delivery: POST, then settle it (retried later, if it failed)."""
    with _traced():
        command = DeliverWebhook(uuid.UUID(delivery_id))
        status = await handlers().get(DeliverWebhookHandler)(command)
        if status is not None:
            log.info("webhook attempt", extra={"delivery_id": delivery_id, "status": status})


@dramatiq.actor(periodic=cron("* * * * *"), max_retries=0, time_limit=120_000)
async def requeue_overdue_webhook_deliveries() -> None:
    count = await handlers().get(RequeueOverdueDeliveries)()
    if count:
        log.info("re-enqueued overdue webhook deliveries", extra={"count": count})


@dramatiq.actor(periodic=cron("37 * * * *"), max_retries=0, time_limit=600_000)
async def prune_webhook_deliveries() -> None:
    pruned = await handlers().get(PruneWebhookDeliveries)()
    log.info("pruned webhook deliveries", extra={"count": pruned})
