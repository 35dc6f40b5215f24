"""Mailed tokens: single-use proofs of an address (confirm it, reset the password), by hash."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.tables import action_tokens
from core.domain import ActionPurpose, ActionToken

_COLUMNS = (
    action_tokens.c.id,
    action_tokens.c.user_id,
    action_tokens.c.purpose,
    action_tokens.c.token_hash,
    action_tokens.c.email,
    action_tokens.c.expires_at,
    action_tokens.c.created_at,
    action_tokens.c.used_at,
)


class SqlActionTokens:
    """Single-use mailed tokens inside the unit of work's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, token: ActionToken) -> None:
        await self._conn.execute(
            insert(action_tokens).values({c.name: getattr(token, c.name) for c in _COLUMNS})
        )

    async def use(
        self, token_hash: str, purpose: ActionPurpose, now: datetime
    ) -> ActionToken | None:
        # One conditional UPDATE: of two concurrent uses, the second waits for the first's row
        # lock, then finds used_at set and matches nothing.
        result = await self._conn.execute(
            update(action_tokens)
            .where(
                action_tokens.c.token_hash == token_hash,
                action_tokens.c.purpose == purpose,
                action_tokens.c.used_at.is_(None),
                action_tokens.c.expires_at > now,
            )
            .values(used_at=now)
            .returning(*_COLUMNS)
        )
        row = result.first()
        return ActionToken(**row._mapping) if row else None

    async def invalidate(self, user_id: uuid.UUID, purpose: ActionPurpose, now: datetime) -> None:
        await self._conn.execute(
            update(action_tokens)
            .where(
                action_tokens.c.user_id == user_id,
                action_tokens.c.purpose == purpose,
                action_tokens.c.used_at.is_(None),
            )
            .values(used_at=now)
        )
