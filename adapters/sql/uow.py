"""The unit of work: one connection, one transaction, and the repositories that share it."""

from __future__ import annotations

import contextlib
from types import TracebackType
from typing import Self

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql.action_tokens import SqlActionTokens
from adapters.sql.audit_events import SqlAuditTrail
from adapters.sql.errors import database_unavailable, is_outage, outage_as_unavailable
from adapters.sql.linked_identities import SqlLinkedIdentities
from adapters.sql.mfa_challenges import SqlMfaChallenges
from adapters.sql.outbox import SqlOutbox
from adapters.sql.passkeys import SqlPasskeys
from adapters.sql.refresh_tokens import SqlRefreshTokens
from adapters.sql.second_factors import SqlSecondFactors
from adapters.sql.sessions import SqlSessions
from adapters.sql.users import SqlUserRepository
from adapters.sql.webauthn_challenges import SqlWebAuthnChallenges


class SqlUnitOfWork:
    """One connection and one transaction; the block rolls back unless `commit()` was called."""

    users: SqlUserRepository
    events: SqlOutbox
    refresh_tokens: SqlRefreshTokens
    action_tokens: SqlActionTokens
    passkeys: SqlPasskeys
    webauthn_challenges: SqlWebAuthnChallenges
    audit: SqlAuditTrail
    second_factors: SqlSecondFactors
    mfa_challenges: SqlMfaChallenges
    sessions: SqlSessions
    linked_identities: SqlLinkedIdentities

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        async with outage_as_unavailable():
            try:
                self._conn = await self._engine.connect()
                await self._conn.begin()
            except Exception:
                if self._conn is not None:
                    await self._conn.close()
                raise
        self.users = SqlUserRepository(self._conn)
        self.events = SqlOutbox(self._conn)
        self.refresh_tokens = SqlRefreshTokens(self._conn)
        self.action_tokens = SqlActionTokens(self._conn)
        self.passkeys = SqlPasskeys(self._conn)
        self.webauthn_challenges = SqlWebAuthnChallenges(self._conn)
        self.audit = SqlAuditTrail(self._conn)
        self.second_factors = SqlSecondFactors(self._conn)
        self.mfa_challenges = SqlMfaChallenges(self._conn)
        self.sessions = SqlSessions(self._conn)
        self.linked_identities = SqlLinkedIdentities(self._conn)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._conn is not None
        # Closing rolls back whatever was not committed. A broken connection is discarded
        # by the pool, and the error that broke it is the one worth reporting.
        with contextlib.suppress(DBAPIError):
            await self._conn.close()
        if is_outage(exc):
            raise database_unavailable() from exc

    async def commit(self) -> None:
        assert self._conn is not None
        await self._conn.commit()
