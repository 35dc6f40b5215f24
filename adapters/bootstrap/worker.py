"""The worker and scheduler processes: Dramatiq actors (`actors.tasks`).

Both run the same module. The scheduler only enqueues: it needs the broker (`job_broker`)
and never builds the handlers, which the worker builds (`worker_injector`) on its first
message."""

from __future__ import annotations

import dramatiq
from injector import Injector, Module, provider, singleton
from periodiq import PeriodiqMiddleware
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.bootstrap.common import (
    BaseModule,
    DatabaseModule,
    EmailReputationModule,
    HandlersModule,
    handler_values,
)
from adapters.bootstrap.webhooks import WEBHOOK_WORKER_HANDLERS, WebhooksModule
from adapters.jobs import dramatiq_broker
from adapters.settings import Settings
from adapters.sql.bookkeeping import SqlBookkeeping
from core.email_reputation.check import CheckEmailReputationHandler
from core.email_reputation.give_up import GiveUpEmailCheckHandler
from core.housekeeping.delete_rejected_accounts import DeleteRejectedAccounts
from core.housekeeping.prune_audit_trail import PruneAuditTrail
from core.housekeeping.prune_bookkeeping import PruneBookkeeping
from core.housekeeping.requeue_stale_checks import RequeueStaleChecks
from core.ports import Bookkeeping

WORKER_HANDLERS = (
    CheckEmailReputationHandler,
    GiveUpEmailCheckHandler,
    RequeueStaleChecks,
    DeleteRejectedAccounts,
    PruneBookkeeping,
    PruneAuditTrail,
    *WEBHOOK_WORKER_HANDLERS,
)


class BookkeepingModule(Module):
    @singleton
    @provider
    def bookkeeping(self, engine: AsyncEngine) -> Bookkeeping:
        return SqlBookkeeping(engine)


def job_broker(settings: Settings, *middleware: dramatiq.Middleware) -> dramatiq.Broker:
    """The broker the actors are declared on; periodiq reads their crons from it."""
    broker = dramatiq_broker(settings.redis_url)
    for each in (*middleware, PeriodiqMiddleware(skip_delay=60)):
        broker.add_middleware(each)
    return broker


def worker_injector(settings: Settings, *overrides: Module) -> Injector:
    return Injector(
        [
            BaseModule(settings),
            DatabaseModule(),
            EmailReputationModule(),
            BookkeepingModule(),
            WebhooksModule(),
            HandlersModule(WORKER_HANDLERS, handler_values(settings)),
            *overrides,
        ]
    )
