"""Sessions: one row per refresh-token family, by the family's id. Ending one is the refresh-token
repository's (adapters/sql/refresh_tokens.py), in the statements that revoke the family."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import RowMapping, and_, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.tables import refresh_tokens, sessions
from core.domain import LAST_USED_RESOLUTION, PriorSignIns, RefreshToken, Session

_COLUMNS = (
    sessions.c.id,
    sessions.c.user_id,
    sessions.c.created_at,
    sessions.c.last_used_at,
    sessions.c.ip,
    sessions.c.network,
    sessions.c.device,
    sessions.c.amr,
    sessions.c.provider,
    sessions.c.ended_at,
)


def _session(row: RowMapping) -> Session:
    return Session(**{**row, "amr": tuple(row["amr"])})


class SqlSessions:
    """Sessions inside the unit of work's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, session: Session) -> None:
        values = {c.name: getattr(session, c.name) for c in _COLUMNS}
        values["amr"] = list(session.amr)
        await self._conn.execute(insert(sessions).values(values))

    async def get(self, session_id: uuid.UUID) -> Session | None:
        result = await self._conn.execute(select(*_COLUMNS).where(sessions.c.id == session_id))
        row = result.mappings().first()
        return _session(row) if row else None

    async def live(
        self, user_id: uuid.UUID, now: datetime, signed_in_after: datetime
    ) -> list[Session]:
        usable = exists().where(
            refresh_tokens.c.family_id == sessions.c.id,
            refresh_tokens.c.revoked_at.is_(None),
            refresh_tokens.c.expires_at > now,
        )
        result = await self._conn.execute(
            select(*_COLUMNS)
            .where(
                sessions.c.user_id == user_id,
                sessions.c.ended_at.is_(None),
                sessions.c.created_at > signed_in_after,
                usable,
            )
            .order_by(sessions.c.last_used_at.desc(), sessions.c.id)
        )
        return [_session(row) for row in result.mappings()]

    async def record_use(self, token: RefreshToken, now: datetime) -> bool:
        # A plain conditional UPDATE: a row the condition skips is neither written nor locked,
        # so a use within the resolution costs one index lookup. A family from before sessions
        # has no row to touch; ending it writes one (see SqlRefreshTokens.revoke_family).
        result = await self._conn.execute(
            update(sessions)
            .where(
                sessions.c.id == token.family_id,
                sessions.c.last_used_at <= now - LAST_USED_RESOLUTION,
            )
            .values(last_used_at=now)
        )
        return bool(result.rowcount)

    async def prior_sign_ins(
        self, user_id: uuid.UUID, device: str | None, network: str | None, since: datetime
    ) -> PriorSignIns:
        mine = sessions.c.user_id == user_id
        same_client = and_(
            mine,
            sessions.c.last_used_at >= since,
            sessions.c.device.is_not_distinct_from(device),
            sessions.c.network.is_not_distinct_from(network),
        )
        result = await self._conn.execute(
            select(exists().where(mine).label("any"), exists().where(same_client).label("seen"))
        )
        row = result.one()
        return PriorSignIns(any=row.any, from_this_device=row.seen)
