"""The consumer's record of events whose mail was sent."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.errors import outage_as_unavailable
from adapters.sql.tables import processed_events


class SqlProcessedEvents:
    def __init__(self, engine: AsyncEngine) -> None:
        # One statement each, so no BEGIN and COMMIT round trips around it: the mailer asks
        # for every event, and a mail accepted by SMTP is recorded the sooner.
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    async def seen(self, event_id: uuid.UUID) -> bool:
        async with outage_as_unavailable(), self._engine.connect() as conn:
            found = await conn.execute(
                select(processed_events.c.event_id).where(processed_events.c.event_id == event_id)
            )
            return found.first() is not None

    async def mark(self, event_id: uuid.UUID) -> None:
        async with outage_as_unavailable(), self._engine.connect() as conn:
            await conn.execute(
                insert(processed_events).values(event_id=event_id).on_conflict_do_nothing()
            )
