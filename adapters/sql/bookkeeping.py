"""Pruning of rows the service no longer needs: published outbox, old records, expired tokens
and challenges."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.errors import outage_as_unavailable
from adapters.sql.tables import (
    action_tokens,
    mfa_challenges,
    outbox,
    processed_events,
    refresh_tokens,
    sessions,
    webauthn_challenges,
)


class SqlBookkeeping:
    """Prunes published outbox rows (with them the secrets of mailed tokens), old processed-event
    records, and refresh, mailed and mfa tokens that expired before the cut-off (until they
    expire, revoked ones are kept to recognise reuse); sessions long over; and WebAuthn
    challenges once they expired."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def prune(self, before: datetime) -> dict[str, int]:
        async with outage_as_unavailable(), self._engine.begin() as conn:
            published = await conn.execute(delete(outbox).where(outbox.c.published_at < before))
            processed = await conn.execute(
                delete(processed_events).where(processed_events.c.processed_at < before)
            )
            expired = await conn.execute(
                delete(refresh_tokens).where(refresh_tokens.c.expires_at < before)
            )
            mailed = await conn.execute(
                delete(action_tokens).where(action_tokens.c.expires_at < before)
            )
            challenges = await conn.execute(
                delete(mfa_challenges).where(mfa_challenges.c.expires_at < before)
            )
        return {
            "outbox": published.rowcount,
            "processed_events": processed.rowcount,
            "refresh_tokens": expired.rowcount,
            "action_tokens": mailed.rowcount,
            "mfa_challenges": challenges.rowcount,
        }

    async def prune_sessions(self, before: datetime) -> int:
        tokens_left = exists().where(refresh_tokens.c.family_id == sessions.c.id)
        async with outage_as_unavailable(), self._engine.begin() as conn:
            over = await conn.execute(
                delete(sessions).where(sessions.c.last_used_at < before, ~tokens_left)
            )
        return over.rowcount

    async def prune_challenges(self, now: datetime) -> int:
        async with outage_as_unavailable(), self._engine.begin() as conn:
            expired = await conn.execute(
                delete(webauthn_challenges).where(webauthn_challenges.c.expires_at < now)
            )
        return expired.rowcount
