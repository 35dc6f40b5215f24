"""Sign-out: revoke a refresh token and its family."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain import refresh_token_hash
from core.ports import Clock, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class RevokeRefreshToken:
    refresh_token: str


@dataclass(frozen=True, slots=True)
class RevokeRefreshTokenHandler:
    """Log out: revoke the refresh token and the rest of its family (the session it belongs
    to). Like RFC 7009, an unknown, expired or already revoked token is no error, so the answer
    tells nothing about which tokens exist."""

    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(self, command: RevokeRefreshToken) -> None:
        async with self.uow() as uow:
            token = await uow.refresh_tokens.get_for_update(
                refresh_token_hash(command.refresh_token)
            )
            if token is None:
                return
            await uow.refresh_tokens.revoke_family(token.family_id, self.clock.now())
            await uow.commit()
