"""WebAuthn challenges: the random bytes of passkey ceremonies under way, each used once."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.tables import webauthn_challenges
from core.domain import ChallengePurpose, WebAuthnChallenge

_COLUMNS = (
    webauthn_challenges.c.id,
    webauthn_challenges.c.user_id,
    webauthn_challenges.c.purpose,
    webauthn_challenges.c.challenge,
    webauthn_challenges.c.expires_at,
    webauthn_challenges.c.used_at,
)


class SqlWebAuthnChallenges:
    """Challenges inside the unit of work's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, challenge: WebAuthnChallenge) -> None:
        await self._conn.execute(
            insert(webauthn_challenges).values(
                {c.name: getattr(challenge, c.name) for c in _COLUMNS}
            )
        )

    async def consume(
        self, challenge_id: uuid.UUID, purpose: ChallengePurpose, now: datetime
    ) -> WebAuthnChallenge | None:
        # One conditional UPDATE: of two concurrent uses, the second waits for the first's row
        # lock, then finds used_at set and matches nothing.
        result = await self._conn.execute(
            update(webauthn_challenges)
            .where(
                webauthn_challenges.c.id == challenge_id,
                webauthn_challenges.c.purpose == purpose,
                webauthn_challenges.c.used_at.is_(None),
                webauthn_challenges.c.expires_at > now,
            )
            .values(used_at=now)
            .returning(*_COLUMNS)
        )
        row = result.first()
        return WebAuthnChallenge(**row._mapping) if row else None
