"""The password steps of sign-ins that wait for a second factor, by the hash of their token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.tables import mfa_challenges
from core.domain import MfaChallenge

_COLUMNS = (
    mfa_challenges.c.token_hash,
    mfa_challenges.c.user_id,
    mfa_challenges.c.token_version,
    mfa_challenges.c.created_at,
    mfa_challenges.c.expires_at,
    mfa_challenges.c.used_at,
    mfa_challenges.c.provider,
)


class SqlMfaChallenges:
    """mfa_token rows inside the unit of work's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, challenge: MfaChallenge) -> None:
        await self._conn.execute(
            insert(mfa_challenges).values({c.name: getattr(challenge, c.name) for c in _COLUMNS})
        )

    async def get(self, token_hash: str) -> MfaChallenge | None:
        row = (
            await self._conn.execute(
                select(*_COLUMNS).where(mfa_challenges.c.token_hash == token_hash)
            )
        ).first()
        return MfaChallenge(**row._mapping) if row else None

    async def use(self, token_hash: str, now: datetime) -> MfaChallenge | None:
        # One conditional UPDATE, like a mailed token's: exactly one of two concurrent uses wins.
        row = (
            await self._conn.execute(
                update(mfa_challenges)
                .where(
                    mfa_challenges.c.token_hash == token_hash,
                    mfa_challenges.c.used_at.is_(None),
                    mfa_challenges.c.expires_at > now,
                )
                .values(used_at=now)
                .returning(*_COLUMNS)
            )
        ).first()
        return MfaChallenge(**row._mapping) if row else None
