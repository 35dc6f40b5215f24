"""The event outbox: lifecycle events (for the mailer) and account events (for other services)
written in the transaction of the change they record, and how many still wait for the relay."""

from __future__ import annotations

import dataclasses

import sqlalchemy
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.logs import request_id as current_request_id
from adapters.sql.tables import outbox
from core.events import UserEvent
from core.public_events import AccountEvent, to_json

# Outbox topics (the `topic` column); the relay maps them to Kafka topics.
MAIL = "mail"
PUBLIC = "public"


class SqlOutbox:
    """Writes events into the outbox table, inside the unit of work's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, event: UserEvent) -> None:
        if event.request_id is None:
            # The id of the request being served, so one signup can be followed to its mail.
            event = dataclasses.replace(event, request_id=current_request_id.get())
        await self._conn.execute(
            insert(outbox).values(
                event_id=event.id,
                topic=MAIL,
                type=event.type,
                user_id=event.user_id,
                payload=event.to_json(),
                occurred_at=event.occurred_at,
            )
        )

    async def add_public(self, *events: AccountEvent) -> None:
        if not events:
            return
        rows = [
            {
                "event_id": event.event_id,
                "topic": PUBLIC,
                "type": event.type,
                "user_id": event.user_id,
                "payload": to_json(event),
                "occurred_at": event.occurred_at,
            }
            for event in events
        ]
        await self._conn.execute(insert(outbox), rows)


def unpublished_count(engine: sqlalchemy.Engine) -> int:
    """Events not yet published to Kafka (the outbox backlog)."""
    query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())
