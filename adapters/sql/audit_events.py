"""The audit trail: users' security events, appended in the unit of work's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.tables import audit_events
from core.audit.events import SecurityEvent

_COLUMNS = (
    audit_events.c.id,
    audit_events.c.user_id,
    audit_events.c.type,
    audit_events.c.at,
    audit_events.c.ip,
    audit_events.c.device,
    audit_events.c.details,
)


class SqlAuditTrail:
    """Security events inside the unit of work's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, *events: SecurityEvent) -> None:
        if events:
            rows = [{c.name: getattr(event, c.name) for c in _COLUMNS} for event in events]
            for row in rows:
                row["details"] = dict(row["details"])
            await self._conn.execute(insert(audit_events), rows)

    async def newest(
        self, user_id: uuid.UUID, limit: int, before: tuple[datetime, uuid.UUID] | None = None
    ) -> list[SecurityEvent]:
        query = select(*_COLUMNS).where(audit_events.c.user_id == user_id)
        if before is not None:
            # A row comparison, which PostgreSQL answers from ix_audit_events_user_at.
            query = query.where(tuple_(audit_events.c.at, audit_events.c.id) < tuple_(*before))
        query = query.order_by(audit_events.c.at.desc(), audit_events.c.id.desc()).limit(limit)
        result = await self._conn.execute(query)
        return [SecurityEvent(**row._mapping) for row in result]

    async def prune(self, before: datetime) -> int:
        result = await self._conn.execute(delete(audit_events).where(audit_events.c.at < before))
        return result.rowcount
