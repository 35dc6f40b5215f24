"""Administrators read the webhook endpoints, and each one's delivery log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.admin.actions import Actor
from core.domain import InvalidInput
from core.domain.webhooks import WebhookDelivery, WebhookEndpoint
from core.paging import decode_position, encode_position
from core.ports import UnitOfWorkFactory
from core.ports.webhooks import WebhookDeliveries
from core.webhooks.change_endpoint import existing

DEFAULT_PAGE = 20
MAX_PAGE = 100
BAD_CURSOR = "Not a cursor this list handed out; start again without one."


@dataclass(frozen=True, slots=True)
class ListEndpoints:
    actor: Actor


@dataclass(frozen=True, slots=True)
class ListEndpointsHandler:
    """Every endpoint, the oldest first."""

    uow: UnitOfWorkFactory

    async def __call__(self, query: ListEndpoints) -> list[WebhookEndpoint]:
        async with self.uow() as uow:
            return await uow.webhooks.all()


@dataclass(frozen=True, slots=True)
class GetEndpoint:
    actor: Actor
    endpoint_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class GetEndpointHandler:
    uow: UnitOfWorkFactory

    async def __call__(self, query: GetEndpoint) -> WebhookEndpoint:
        async with self.uow() as uow:
            return existing(await uow.webhooks.get(query.endpoint_id))


@dataclass(frozen=True, slots=True)
class ListDeliveries:
    actor: Actor
    endpoint_id: uuid.UUID
    limit: int = DEFAULT_PAGE
    cursor: str | None = None
    """The `next_cursor` of the page before; None for the newest deliveries."""


@dataclass(frozen=True, slots=True)
class DeliveryPage:
    items: list[WebhookDelivery]
    next_cursor: str | None
    """Where the next (older) page starts; None on the last page."""


@dataclass(frozen=True, slots=True)
class ListDeliveriesHandler:
    """The endpoint's deliveries, newest first, `limit` (1-100) at a time, cut by position
    (created_at, id): deliveries recorded while someone pages come before the first page."""

    uow: UnitOfWorkFactory
    deliveries: WebhookDeliveries

    async def __call__(self, query: ListDeliveries) -> DeliveryPage:
        if not 1 <= query.limit <= MAX_PAGE:
            raise InvalidInput({"limit": [f"Must be between 1 and {MAX_PAGE}."]})
        before = decode_position(query.cursor, BAD_CURSOR) if query.cursor else None
        async with self.uow() as uow:
            existing(await uow.webhooks.get(query.endpoint_id))
        found = await self.deliveries.page(query.endpoint_id, query.limit + 1, before)
        items = found[: query.limit]
        last = items[-1] if len(found) > query.limit else None
        return DeliveryPage(items, encode_position(last.created_at, last.id) if last else None)
