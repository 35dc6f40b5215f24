"""What the unit tests of webhooks share: the handlers wired as the processes wire them, on
fakes, and the steps a test takes with them (register an endpoint, publish an event, make an
attempt) and looks with (the audit trail, the public events)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from injector import Injector, Module

from adapters.bootstrap.common import HandlersModule, handler_values
from adapters.bootstrap.webhooks import (
    WEBHOOK_ADMIN_HANDLERS,
    WEBHOOK_CONSUMER_HANDLERS,
    WEBHOOK_WORKER_HANDLERS,
)
from adapters.settings import Settings
from core.admin.actions import Actor
from core.domain.webhooks import PublishedEvent
from core.public_events import to_json
from core.webhooks.create_endpoint import CreatedEndpoint, CreateEndpoint, CreateEndpointHandler
from core.webhooks.deliver import DeliverWebhookHandler
from core.webhooks.fan_out import FanOutEventHandler, read_published
from tests.unit.fakes import InMemoryUnitOfWorkFactory
from tests.unit.webhook_fakes import (
    FakeQueue,
    FakeResolver,
    FakeSender,
    InMemoryWebhookDeliveries,
    WebhookFakes,
)

URL = "https://hooks.example.com/in?token=receivers-own"
OTHER = "https://other.example.com/in"
RESOLVER = {"hooks.example.com": ["93.184.215.14"], "other.example.com": ["93.184.215.15"]}


@dataclass
class Hooks:
    """The webhook handlers of every process, on fakes, used by an administrator."""

    injector: Injector
    uow: InMemoryUnitOfWorkFactory
    deliveries: InMemoryWebhookDeliveries
    sender: FakeSender
    queue: FakeQueue
    admin: Actor
    start: datetime
    """Where the tests' clock starts."""

    @classmethod
    def wired(
        cls,
        ports: Module,
        uow: InMemoryUnitOfWorkFactory,
        settings: Settings,
        admin: Actor,
        start: datetime,
    ) -> Hooks:
        deliveries = InMemoryWebhookDeliveries(uow.store)
        sender, queue = FakeSender(), FakeQueue()
        handlers = (*WEBHOOK_ADMIN_HANDLERS, *WEBHOOK_WORKER_HANDLERS, *WEBHOOK_CONSUMER_HANDLERS)
        injector = Injector(
            [
                ports,
                WebhookFakes(deliveries, sender, queue, FakeResolver(RESOLVER)),
                HandlersModule(handlers, handler_values(settings)),
            ]
        )
        return cls(injector, uow, deliveries, sender, queue, admin, start)

    async def create(
        self, url: str = URL, types: tuple[str, ...] = ("user.created",)
    ) -> CreatedEndpoint:
        command = CreateEndpoint(self.admin, url, types)
        return await self.injector.get(CreateEndpointHandler)(command)

    async def event(self, type: str = "user.created", minutes: int = 1) -> PublishedEvent:
        """An event `minutes` after the start, as the topic carries it, fanned out."""
        at = self.start + timedelta(minutes=minutes)
        body = json.dumps(
            {"type": type, "event_id": str(uuid.uuid4()), "occurred_at": at.isoformat()}
        ).encode()
        event = read_published(body)
        assert event is not None
        await self.injector.get(FanOutEventHandler)(event)
        return event

    def deliver(self) -> DeliverWebhookHandler:
        # The middle of the jitter: each wait is exactly base * 2^(n - 1).
        return replace(self.injector.get(DeliverWebhookHandler), jitter=lambda: 0.5)

    def audit(self) -> list[tuple[str, dict[str, Any]]]:
        return [(e.type, dict(e.details)) for e in self.uow.store.audit]

    def published(self) -> list[dict[str, Any]]:
        return [to_json(e) for e in self.uow.store.public_events]
