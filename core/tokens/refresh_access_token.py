"""Rotation: a refresh token for a new access token and its own successor."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.domain import Forbidden, InvalidRefreshToken, RefreshToken, refresh_token_hash
from core.ports import Clock, TokenIssuer, UnitOfWork, UnitOfWorkFactory
from core.tokens.issued import SIGN_IN_BLOCKED, IssuedTokens, store_refresh_token

log = logging.getLogger("core.tokens")


@dataclass(frozen=True, slots=True)
class RefreshAccessToken:
    refresh_token: str


@dataclass(frozen=True, slots=True)
class RefreshAccessTokenHandler:
    """Exchange a refresh token for a new access token and a new refresh token (rotation).

    The presented token is revoked and its successor joins the same family. A revoked token
    presented again means two parties hold the family (one of them stole it), so the whole
    family is revoked and both must log in again. The token row stays locked while this runs:
    of two concurrent uses of one token, the second sees the first one's revocation and counts
    as such a reuse. A token whose user changed the password since the family began (its token
    version is behind the user's) is refused and its family revoked as well.
    """

    uow: UnitOfWorkFactory
    tokens: TokenIssuer
    clock: Clock
    refresh_ttl: timedelta

    async def __call__(self, command: RefreshAccessToken) -> IssuedTokens:
        now = self.clock.now()
        hashed = refresh_token_hash(command.refresh_token)
        async with self.uow() as uow:
            token = await uow.refresh_tokens.get_for_update(hashed)
            if token is None:
                raise InvalidRefreshToken()
            if token.revoked_at is not None:
                log.warning(
                    "refresh token reused: family revoked",
                    extra={"user_id": str(token.user_id), "family_id": str(token.family_id)},
                )
                raise await self._retire_family(uow, token, now)
            if token.expired(now):
                raise InvalidRefreshToken()
            user = await uow.users.get(token.user_id)
            if user is None or not user.accepts_token_version(token.token_version):
                raise await self._retire_family(uow, token, now)
            if user.email_status == "rejected":
                raise Forbidden(SIGN_IN_BLOCKED)
            await uow.refresh_tokens.revoke(token.id, now)
            secret, successor = token.successor(now=now, ttl=self.refresh_ttl)
            issued = await store_refresh_token(
                uow, successor, secret, self.tokens, self.refresh_ttl
            )
            if issued is None:  # the password changed, or the account went, since we looked
                raise InvalidRefreshToken()
            await uow.commit()
        return issued

    @staticmethod
    async def _retire_family(
        uow: UnitOfWork, token: RefreshToken, now: datetime
    ) -> InvalidRefreshToken:
        await uow.refresh_tokens.revoke_family(token.family_id, now)
        await uow.commit()
        return InvalidRefreshToken()
