"""Webhook deliveries: each call a short transaction of its own (the consumer records them, the
worker claims and settles them, administrators read them, housekeeping prunes them)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import RowMapping, any_, delete, func, literal, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.errors import outage_as_unavailable
from adapters.sql.webhook_tables import webhook_deliveries as deliveries
from adapters.sql.webhook_tables import webhook_endpoints as endpoints
from core.domain.webhooks import (
    GONE,
    AttemptOutcome,
    DeliveryJob,
    PublishedEvent,
    WebhookDelivery,
)

_COLUMNS = tuple(c for c in deliveries.c if c.name != "body")

_FAN_OUT_COLUMNS = (
    "id",
    "endpoint_id",
    "event_id",
    "event_type",
    "body",
    "status",
    "created_at",
    "next_attempt_at",
)
EARLY = timedelta(seconds=1)
"""How much earlier than due a delivery may be claimed: the clocks of the process that
scheduled the attempt and of the worker may differ that much."""


def _delivery(row: RowMapping) -> WebhookDelivery:
    return WebhookDelivery(**{c.name: row[c.name] for c in _COLUMNS})


class SqlWebhookDeliveries:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def fan_out(self, event: PublishedEvent, now: datetime) -> list[uuid.UUID]:
        subscribed = select(
            func.gen_random_uuid(),
            endpoints.c.id,
            literal(event.event_id, deliveries.c.event_id.type),
            literal(event.type, deliveries.c.event_type.type),
            literal(event.body, deliveries.c.body.type),
            literal("pending"),
            literal(now, deliveries.c.created_at.type),
            literal(now, deliveries.c.next_attempt_at.type),
        ).where(
            endpoints.c.active,
            literal(event.type, deliveries.c.event_type.type) == any_(endpoints.c.event_types),
            endpoints.c.created_at <= event.occurred_at,
        )
        statement = (
            insert(deliveries)
            .from_select(
                [*_FAN_OUT_COLUMNS],
                subscribed,
            )
            .on_conflict_do_nothing(constraint="uq_webhook_deliveries_endpoint_event")
            .returning(deliveries.c.id)
        )
        async with outage_as_unavailable(), self._engine.begin() as conn:
            return list((await conn.execute(statement)).scalars())

    async def claim(
        self, delivery_id: uuid.UUID, now: datetime, until: datetime
    ) -> DeliveryJob | None:
        statement = (
            update(deliveries)
            .where(
                deliveries.c.id == delivery_id,
                deliveries.c.status == "pending",
                deliveries.c.next_attempt_at <= now + EARLY,
                endpoints.c.id == deliveries.c.endpoint_id,
            )
            .values(next_attempt_at=until)
            .returning(
                *_COLUMNS,
                deliveries.c.body,
                endpoints.c.url,
                endpoints.c.active,
                endpoints.c.sealed_secret,
            )
        )
        async with outage_as_unavailable(), self._engine.begin() as conn:
            row = (await conn.execute(statement)).mappings().first()
        if row is None:
            return None
        return DeliveryJob(
            _delivery(row), row["body"], row["url"], row["active"], row["sealed_secret"]
        )

    async def settle(self, outcome: AttemptOutcome) -> None:
        delivered_at = outcome.at if outcome.status == "delivered" else None
        async with outage_as_unavailable(), self._engine.begin() as conn:
            await conn.execute(
                update(deliveries)
                .where(deliveries.c.id == outcome.delivery_id)
                .values(
                    status=outcome.status,
                    attempts=outcome.attempts,
                    last_status=outcome.last_status,
                    last_error=outcome.last_error,
                    next_attempt_at=outcome.next_attempt_at,
                    delivered_at=delivered_at,
                )
            )
            if outcome.endpoint_gone:
                await conn.execute(
                    update(endpoints)
                    .where(endpoints.c.id == outcome.endpoint_id, endpoints.c.active)
                    .values(
                        active=False,
                        deactivated_at=outcome.at,
                        deactivated_reason=GONE,
                        updated_at=outcome.at,
                    )
                )

    async def page(
        self, endpoint_id: uuid.UUID, limit: int, before: tuple[datetime, uuid.UUID] | None
    ) -> list[WebhookDelivery]:
        query = select(*_COLUMNS).where(deliveries.c.endpoint_id == endpoint_id)
        if before is not None:
            position = tuple_(deliveries.c.created_at, deliveries.c.id)
            query = query.where(position < tuple_(*before))
        query = query.order_by(deliveries.c.created_at.desc(), deliveries.c.id.desc()).limit(limit)
        async with outage_as_unavailable(), self._engine.connect() as conn:
            result = await conn.execute(query)
            return [_delivery(row) for row in result.mappings()]

    async def claim_overdue(self, before: datetime, now: datetime, limit: int) -> list[uuid.UUID]:
        overdue = (
            select(deliveries.c.id)
            .where(deliveries.c.status == "pending", deliveries.c.next_attempt_at < before)
            .order_by(deliveries.c.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        statement = (
            update(deliveries)
            .where(deliveries.c.id.in_(overdue.scalar_subquery()))
            .values(next_attempt_at=now)
            .returning(deliveries.c.id)
        )
        async with outage_as_unavailable(), self._engine.begin() as conn:
            return list((await conn.execute(statement)).scalars())

    async def prune(self, before: datetime) -> int:
        statement = delete(deliveries).where(
            deliveries.c.status != "pending", deliveries.c.created_at < before
        )
        async with outage_as_unavailable(), self._engine.begin() as conn:
            return (await conn.execute(statement)).rowcount
