"""The consumer's record of events whose mail was sent."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.errors import outage_as_unavailable

# Asked twice for every event the mailer handles, so written out for the driver: building,
# keying and compiling a Core statement each time cost as much CPU as the rest of the query.
_SEEN = "SELECT 1 FROM processed_events WHERE event_id = %(event_id)s"
_MARK = "INSERT INTO processed_events (event_id) VALUES (%(event_id)s) ON CONFLICT DO NOTHING"


class SqlProcessedEvents:
    def __init__(self, engine: AsyncEngine) -> None:
        # One statement each, so no BEGIN and COMMIT round trips around it: a mail accepted by
        # SMTP is recorded the sooner.
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    async def seen(self, event_id: uuid.UUID) -> bool:
        async with outage_as_unavailable(), self._engine.connect() as conn:
            found = await conn.exec_driver_sql(_SEEN, {"event_id": event_id})
            return found.first() is not None

    async def mark(self, event_id: uuid.UUID) -> None:
        async with outage_as_unavailable(), self._engine.connect() as conn:
            await conn.exec_driver_sql(_MARK, {"event_id": event_id})
