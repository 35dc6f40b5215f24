"""Sign-out: revoke a refresh token and its family."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain import refresh_token_hash
from core.ports import Clock, UnitOfWorkFactory
from core.sessions.end_sessions import announce_ended


@dataclass(frozen=True, slots=True)
class RevokeRefreshToken:
    refresh_token: str
    client_ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class RevokeRefreshTokenHandler:
    """Log out: revoke the refresh token and the rest of its family, which ends the session it
    belongs to (its access tokens are refused from the next request on). Like RFC 7009, an
    unknown, expired or already revoked token is no error, so the answer tells nothing about
    which tokens exist. A session that was live until now is recorded as ended by itself in
    the audit trail, and other services hear of it (session.ended)."""

    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(self, command: RevokeRefreshToken) -> None:
        now = self.clock.now()
        async with self.uow() as uow:
            token = await uow.refresh_tokens.get_for_update(
                refresh_token_hash(command.refresh_token)
            )
            if token is None:
                return
            revoked = await uow.refresh_tokens.revoke_family(token.family_id, now)
            session = await uow.sessions.get(token.family_id) if revoked else None
            if session is not None:
                await announce_ended(uow, session, now, command, "self")
            await uow.commit()
