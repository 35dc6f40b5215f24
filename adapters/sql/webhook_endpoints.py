"""Webhook endpoints inside the unit of work's transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import RowMapping, Select, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.webhook_tables import webhook_endpoints
from core.domain.webhooks import WebhookEndpoint

_COLUMNS = tuple(webhook_endpoints.c)


def endpoint_of(row: RowMapping) -> WebhookEndpoint:
    return WebhookEndpoint(**{**row, "event_types": tuple(row["event_types"])})


def _values(endpoint: WebhookEndpoint) -> dict[str, object]:
    values = {c.name: getattr(endpoint, c.name) for c in _COLUMNS}
    values["event_types"] = list(endpoint.event_types)
    return values


class SqlWebhookEndpoints:
    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, endpoint: WebhookEndpoint) -> None:
        await self._conn.execute(insert(webhook_endpoints).values(_values(endpoint)))

    async def get(self, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
        return await self._one(select(*_COLUMNS).where(webhook_endpoints.c.id == endpoint_id))

    async def get_for_update(self, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
        query = select(*_COLUMNS).where(webhook_endpoints.c.id == endpoint_id).with_for_update()
        return await self._one(query)

    async def save(self, endpoint: WebhookEndpoint) -> None:
        await self._conn.execute(
            update(webhook_endpoints)
            .where(webhook_endpoints.c.id == endpoint.id)
            .values(_values(endpoint))
        )

    async def delete(self, endpoint_id: uuid.UUID) -> None:
        await self._conn.execute(
            delete(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id)
        )

    async def all(self) -> list[WebhookEndpoint]:
        query = select(*_COLUMNS).order_by(webhook_endpoints.c.created_at, webhook_endpoints.c.id)
        result = await self._conn.execute(query)
        return [endpoint_of(row) for row in result.mappings()]

    async def _one(self, query: Select[Any]) -> WebhookEndpoint | None:
        result = await self._conn.execute(query)
        row = result.mappings().first()
        return endpoint_of(row) if row else None
