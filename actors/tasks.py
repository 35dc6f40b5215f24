"""Dramatiq actors: the `worker` process (`dramatiq actors.tasks`) runs them, the `scheduler`
process (`periodiq actors.tasks`, exactly one) enqueues the periodic ones on their cron."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dramatiq
from dramatiq.middleware import CurrentMessage
from periodiq import PeriodiqMiddleware, cron

from actors.job_metrics import JobMetrics
from adapters.bootstrap import worker_injector
from adapters.logs import configure_logging, request_id
from adapters.settings import Settings
from core.housekeeping import DeleteRejectedAccounts, PruneBookkeeping, RequeueStaleVerifications
from core.ports import EmailCheckMisconfigured
from core.users.verify_email import GiveUpEmailCheckHandler, VerifyEmail, VerifyEmailHandler

settings = Settings.from_env()
configure_logging(settings.log_level, settings.log_json)
log = logging.getLogger("actors.tasks")
injector = worker_injector(settings)
broker = injector.get(dramatiq.Broker)
broker.add_middleware(JobMetrics(settings.metrics_host, settings.worker_metrics_port))
broker.add_middleware(CurrentMessage())
broker.add_middleware(PeriodiqMiddleware(skip_delay=60))
dramatiq.set_broker(broker)


@contextmanager
def _traced() -> Iterator[None]:
    """Log with the request id of the HTTP request that caused this message."""
    message = CurrentMessage.get_current_message()
    token = request_id.set(message.options.get("request_id") if message else None)
    try:
        yield
    finally:
        request_id.reset(token)


@dramatiq.actor(
    max_retries=settings.verify_max_retries,
    min_backoff=settings.verify_min_backoff_ms,
    max_backoff=settings.verify_max_backoff_ms,
    time_limit=60_000,
    # A refused API key is for an operator to fix: no retries (housekeeping tries again later).
    throws=(EmailCheckMisconfigured,),
    on_retry_exhausted="give_up_email_check",
)
async def verify_email(user_id: str) -> None:
    """Check a pending address with the reputation service; failures are retried with backoff."""
    with _traced():
        status = await injector.get(VerifyEmailHandler)(VerifyEmail(uuid.UUID(user_id)))
        log.info("email checked", extra={"user_id": user_id, "email_status": status})


@dramatiq.actor(max_retries=3, time_limit=30_000)
async def give_up_email_check(message_data: dict[str, Any], retry_info: dict[str, Any]) -> None:
    """verify_email ran out of retries (its message is in the dead-letter queue)."""
    user_id = message_data["args"][0]
    await injector.get(GiveUpEmailCheckHandler)(VerifyEmail(uuid.UUID(user_id)))
    log.warning("email check gave up; status unknown", extra={"user_id": user_id})


@dramatiq.actor(periodic=cron("* * * * *"), max_retries=0, time_limit=120_000)
async def requeue_stale_verifications() -> None:
    count = await injector.get(RequeueStaleVerifications)()
    if count:
        log.info("re-enqueued stale email checks", extra={"count": count})


@dramatiq.actor(periodic=cron("43 3 * * *"), max_retries=0, time_limit=600_000)
async def delete_rejected_accounts() -> None:
    count = await injector.get(DeleteRejectedAccounts)()
    log.info("deleted accounts whose address stayed rejected", extra={"count": count})


@dramatiq.actor(periodic=cron("17 * * * *"), max_retries=0, time_limit=600_000)
async def prune_bookkeeping() -> None:
    pruned = await injector.get(PruneBookkeeping)()
    log.info("pruned bookkeeping rows", extra=pruned)
