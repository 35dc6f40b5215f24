"""Refresh tokens: one row per issued token, by the hash of its secret, in token families."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.tables import refresh_tokens, sessions, users
from core.domain import RefreshToken

_COLUMNS = (
    refresh_tokens.c.id,
    refresh_tokens.c.family_id,
    refresh_tokens.c.user_id,
    refresh_tokens.c.token_hash,
    refresh_tokens.c.token_version,
    refresh_tokens.c.created_at,
    refresh_tokens.c.expires_at,
    refresh_tokens.c.revoked_at,
    refresh_tokens.c.auth_time,
    refresh_tokens.c.rotated_at,
    refresh_tokens.c.replaced_by,
    refresh_tokens.c.amr,
    refresh_tokens.c.provider,
)


def _stored(value: object) -> object:
    # The entity's tuples are the database's arrays.
    return list(value) if isinstance(value, tuple) else value


class SqlRefreshTokens:
    """Refresh tokens inside the unit of work's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, token: RefreshToken) -> bool:
        # One statement checks the user and inserts, so a password change committed after the
        # login read the user cannot be outlived by this token.
        current = exists().where(
            users.c.id == token.user_id, users.c.token_version == token.token_version
        )
        row = select(
            *(literal(_stored(getattr(token, c.name)), c.type).label(c.name) for c in _COLUMNS)
        ).where(current)
        statement = (
            insert(refresh_tokens)
            .from_select([c.name for c in _COLUMNS], row)
            .returning(refresh_tokens.c.id)
        )
        try:
            # A user deleted by a transaction still running when ours checked fails the foreign
            # key instead; the savepoint keeps our transaction usable.
            async with self._conn.begin_nested():
                result = await self._conn.execute(statement)
                return result.first() is not None
        except IntegrityError:
            return False

    async def get(self, token_hash: str) -> RefreshToken | None:
        return await self._one(select(*_COLUMNS).where(refresh_tokens.c.token_hash == token_hash))

    async def get_for_update(self, token_hash: str) -> RefreshToken | None:
        return await self._one(
            select(*_COLUMNS).where(refresh_tokens.c.token_hash == token_hash).with_for_update()
        )

    async def _one(self, statement: Select[Any]) -> RefreshToken | None:
        row = (await self._conn.execute(statement)).first()
        if row is None:
            return None
        return RefreshToken(**{**row._mapping, "amr": tuple(row.amr)})

    async def rotate(self, token_id: uuid.UUID, successor_id: uuid.UUID, now: datetime) -> None:
        await self._conn.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.id == token_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now, rotated_at=now, replaced_by=successor_id)
        )

    async def revoke_family(self, family_id: uuid.UUID, now: datetime) -> int:
        result = await self._conn.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.family_id == family_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        await self._end_session(family_id, now)
        return result.rowcount

    async def revoke_all(self, user_id: uuid.UUID, now: datetime) -> list[uuid.UUID]:
        await self._conn.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.user_id == user_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        # A family without a session row (begun before sessions were stored) needs none here:
        # the token version these callers raise refuses its access tokens already.
        ended = await self._conn.execute(
            update(sessions)
            .where(sessions.c.user_id == user_id, sessions.c.ended_at.is_(None))
            .values(ended_at=now)
            .returning(sessions.c.id)
        )
        return list(ended.scalars())

    async def _end_session(self, family_id: uuid.UUID, now: datetime) -> None:
        """Mark the family's session ended; a family begun before sessions were stored gets an
        ended row, so that its access tokens (which name it as `sid`) are refused too."""
        first = (
            select(
                refresh_tokens.c.family_id,
                refresh_tokens.c.user_id,
                refresh_tokens.c.auth_time.label("created_at"),
                refresh_tokens.c.auth_time.label("last_used_at"),
                refresh_tokens.c.amr,
                literal(now, sessions.c.ended_at.type).label("ended_at"),
            )
            .where(refresh_tokens.c.family_id == family_id)
            .limit(1)
        )
        columns = ["id", "user_id", "created_at", "last_used_at", "amr", "ended_at"]
        statement = (
            pg_insert(sessions)
            .from_select(columns, first)
            .on_conflict_do_update(
                index_elements=[sessions.c.id],
                set_={"ended_at": now},
                where=sessions.c.ended_at.is_(None),
            )
        )
        await self._conn.execute(statement)
