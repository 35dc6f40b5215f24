"""In-memory fakes of the webhook ports (core/ports/webhooks.py)."""

from __future__ import annotations

import dataclasses
import ipaddress
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from injector import Binder, InstanceProvider, Module

from core.domain.webhooks import (
    GONE,
    AttemptOutcome,
    DeliveryJob,
    PublishedEvent,
    WebhookDelivery,
    WebhookEndpoint,
)
from core.ports.webhooks import (
    HostResolver,
    WebhookDeliveries,
    WebhookEndpoints,
    WebhookQueue,
    WebhookSecretBox,
    WebhookSender,
    WebhookUnreachable,
)

if TYPE_CHECKING:
    from tests.unit.fakes import UserStore


class InMemoryWebhookEndpoints:
    """The endpoints a unit of work sees (a copy of the store's, committed with it)."""

    def __init__(self, rows: dict[uuid.UUID, WebhookEndpoint]) -> None:
        self.rows = rows

    async def add(self, endpoint: WebhookEndpoint) -> None:
        self.rows[endpoint.id] = endpoint

    async def get(self, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
        return self.rows.get(endpoint_id)

    async def get_for_update(self, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
        return self.rows.get(endpoint_id)

    async def save(self, endpoint: WebhookEndpoint) -> None:
        self.rows[endpoint.id] = endpoint

    async def delete(self, endpoint_id: uuid.UUID) -> None:
        self.rows.pop(endpoint_id, None)

    async def all(self) -> list[WebhookEndpoint]:
        return sorted(self.rows.values(), key=lambda e: (e.created_at, e.id))


class InMemoryWebhookDeliveries:
    """Deliveries in the store, beside its committed endpoints (a deleted endpoint's go too)."""

    def __init__(self, store: UserStore) -> None:
        self._store = store
        self.bodies: dict[uuid.UUID, bytes] = {}

    @property
    def rows(self) -> dict[uuid.UUID, WebhookDelivery]:
        stored, endpoints = self._store.webhook_deliveries, self._store.webhook_endpoints
        for key in [k for k, d in stored.items() if d.endpoint_id not in endpoints]:
            del stored[key]
        return stored

    async def fan_out(self, event: PublishedEvent, now: datetime) -> list[uuid.UUID]:
        had = {(d.endpoint_id, d.event_id) for d in self.rows.values()}
        new = []
        for endpoint in self._store.webhook_endpoints.values():
            subscribed = endpoint.active and event.type in endpoint.event_types
            if subscribed and endpoint.created_at <= event.occurred_at:
                if (endpoint.id, event.event_id) in had:
                    continue
                delivery = WebhookDelivery(
                    uuid.uuid4(), endpoint.id, event.event_id, event.type, "pending", 0, now
                )
                delivery = replace(delivery, next_attempt_at=now)
                self.rows[delivery.id] = delivery
                self.bodies[delivery.id] = event.body
                new.append(delivery.id)
        return new

    async def claim(
        self, delivery_id: uuid.UUID, now: datetime, until: datetime
    ) -> DeliveryJob | None:
        delivery = self.rows.get(delivery_id)
        if delivery is None or delivery.status != "pending":
            return None
        due = delivery.next_attempt_at
        if due is None or due > now + timedelta(seconds=1):
            return None
        delivery = replace(delivery, next_attempt_at=until)
        self.rows[delivery_id] = delivery
        endpoint = self._store.webhook_endpoints[delivery.endpoint_id]
        return DeliveryJob(
            delivery,
            self.bodies[delivery_id],
            endpoint.url,
            endpoint.active,
            endpoint.sealed_secret,
        )

    async def settle(self, outcome: AttemptOutcome) -> None:
        delivery = self.rows[outcome.delivery_id]
        self.rows[outcome.delivery_id] = replace(
            delivery,
            status=outcome.status,
            attempts=outcome.attempts,
            last_status=outcome.last_status,
            last_error=outcome.last_error,
            next_attempt_at=outcome.next_attempt_at,
            delivered_at=outcome.at if outcome.status == "delivered" else None,
        )
        endpoint = self._store.webhook_endpoints[outcome.endpoint_id]
        if outcome.endpoint_gone and endpoint.active:
            self._store.webhook_endpoints[endpoint.id] = replace(
                endpoint,
                active=False,
                deactivated_at=outcome.at,
                deactivated_reason=GONE,
                updated_at=outcome.at,
            )

    async def page(
        self, endpoint_id: uuid.UUID, limit: int, before: tuple[datetime, uuid.UUID] | None
    ) -> list[WebhookDelivery]:
        mine = sorted(
            (d for d in self.rows.values() if d.endpoint_id == endpoint_id),
            key=lambda d: (d.created_at, d.id),
            reverse=True,
        )
        return [d for d in mine if before is None or (d.created_at, d.id) < before][:limit]

    async def claim_overdue(self, before: datetime, now: datetime, limit: int) -> list[uuid.UUID]:
        overdue = [
            d
            for d in self.rows.values()
            if d.status == "pending"
            and d.next_attempt_at is not None
            and d.next_attempt_at < before
        ][:limit]
        for delivery in overdue:
            self.rows[delivery.id] = replace(delivery, next_attempt_at=now)
        return [d.id for d in overdue]

    async def prune(self, before: datetime) -> int:
        old = [k for k, d in self.rows.items() if d.status != "pending" and d.created_at < before]
        for key in old:
            del self._store.webhook_deliveries[key]
        return len(old)


@dataclass
class FakeSender:
    """Answers each URL with the status (or raises the error) a test sets; 204 by default."""

    answers: dict[str, int | Exception] = field(default_factory=dict)
    sent: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)

    async def post(self, url: str, headers: Mapping[str, str], body: bytes) -> int:
        self.sent.append((url, dict(headers), body))
        answer = self.answers.get(url, 204)
        if isinstance(answer, Exception):
            raise answer
        return answer


@dataclass
class FakeQueue:
    queued: list[tuple[uuid.UUID, timedelta]] = field(default_factory=list)

    async def deliver_later(self, delivery_id: uuid.UUID, delay: timedelta = timedelta()) -> None:
        self.queued.append((delivery_id, delay))


class ReversibleWebhookSecrets:
    """Seals by writing the endpoint id beside the secret: opens for that endpoint only."""

    def seal(self, endpoint_id: uuid.UUID, secret: str) -> bytes:
        return f"{endpoint_id}|{secret}".encode()

    def open(self, endpoint_id: uuid.UUID, sealed: bytes) -> str | None:
        owner, _, secret = sealed.decode().partition("|")
        return secret if owner == str(endpoint_id) else None


@dataclass
class FakeResolver:
    """Names to addresses, as a test sets them; an IP address is its own."""

    names: dict[str, list[str]] = field(default_factory=dict)

    async def addresses(self, host: str) -> list[str]:
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            return self.names.get(host, [])


@dataclasses.dataclass
class WebhookFakes(Module):
    deliveries: InMemoryWebhookDeliveries
    sender: FakeSender
    queue: FakeQueue
    resolver: FakeResolver
    secret_box: ReversibleWebhookSecrets = field(default_factory=ReversibleWebhookSecrets)

    def configure(self, binder: Binder) -> None:
        bindings: list[tuple[type, object]] = [
            (WebhookDeliveries, self.deliveries),
            (WebhookSender, self.sender),
            (WebhookQueue, self.queue),
            (HostResolver, self.resolver),
            (WebhookSecretBox, self.secret_box),
        ]
        for port, fake in bindings:
            binder.bind(port, to=InstanceProvider(fake))


def unreachable(reason: str = "No answer: connection refused") -> WebhookUnreachable:
    return WebhookUnreachable(reason)


if TYPE_CHECKING:
    _endpoints: WebhookEndpoints = InMemoryWebhookEndpoints({})
    _sender: WebhookSender = FakeSender()
    _queue: WebhookQueue = FakeQueue()
    _box: WebhookSecretBox = ReversibleWebhookSecrets()
    _resolver: HostResolver = FakeResolver()
