"""Rotation: a refresh token for a new access token and its own successor."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.audit.events import SecurityEvent
from core.domain import (
    ACCOUNT_DISABLED,
    Forbidden,
    InvalidRefreshToken,
    RefreshToken,
    refresh_token_hash,
)
from core.events import UserEvent
from core.ports import Clock, TokenIssuer, UnitOfWork, UnitOfWorkFactory
from core.public_events import session_ended
from core.tokens.issued import SIGN_IN_BLOCKED, IssuedTokens, hand_out, store_successor

log = logging.getLogger("core.tokens")


@dataclass(frozen=True, slots=True)
class RefreshAccessToken:
    refresh_token: str
    client_ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class RefreshAccessTokenHandler:
    """Exchange a refresh token for a new access token and a new refresh token (rotation).

    The presented token is revoked as rotated and its successor joins the same family, expiring
    `refresh_ttl` from now but never later than `refresh_family_lifetime` after the sign-in.
    The same token presented again within `refresh_reuse_grace` of its rotation (two browser
    tabs refreshing at once) gets the same successor back, with an access token of its own.
    Presented again later, or after anything else revoked it, it means two parties hold the
    family (one of them stole it): the whole family is revoked and both must log in again. So
    is it when the successor is no longer live itself (rotated again or revoked): a client
    that raced a rotation does not rotate again within seconds, and a logout stays a logout.
    (A thief who races the owner within the grace period gets the successor too: that is the
    price of the grace, and why it is seconds long.) A reuse that revokes a live family is
    recorded in the user's audit trail and mailed to them, and other services hear that its
    session ended. A rotation records the session's use (at most once a minute).

    The token row stays locked while this runs: of two concurrent uses of one token, the second
    sees the first one's rotation and gets the grace answer. A token whose user changed the
    password since the family began (its token version is behind the user's) is refused and
    its family revoked as well.
    """

    uow: UnitOfWorkFactory
    tokens: TokenIssuer
    clock: Clock
    refresh_ttl: timedelta
    refresh_family_lifetime: timedelta
    refresh_reuse_grace: timedelta

    async def __call__(self, command: RefreshAccessToken) -> IssuedTokens:
        now = self.clock.now()
        secret = command.refresh_token
        async with self.uow() as uow:
            token = await uow.refresh_tokens.get_for_update(refresh_token_hash(secret))
            if token is None:
                raise InvalidRefreshToken()
            racing = token.rotated_within(self.refresh_reuse_grace, now)
            if token.revoked_at is not None and not racing:
                raise await self._reused(uow, token, now, command)
            if token.expired(now, self.refresh_family_lifetime):
                raise InvalidRefreshToken()
            user = await uow.users.get(token.user_id)
            if user is None or not user.accepts_token_version(token.token_version):
                raise await self._retire_family(uow, token, now)
            if user.disabled_at is not None:
                raise Forbidden(ACCOUNT_DISABLED)
            if user.email_status == "rejected":
                raise Forbidden(SIGN_IN_BLOCKED)
            if racing:
                return await self._hand_out_again(uow, token, command, now, user.roles)
            successor_secret, successor = token.successor(
                secret, now=now, ttl=self.refresh_ttl, family_lifetime=self.refresh_family_lifetime
            )
            await uow.refresh_tokens.rotate(token.id, successor.id, now)
            issued = await store_successor(
                uow, successor, successor_secret, self.tokens, user.roles
            )
            if issued is None:  # the password changed, or the account went, since we looked
                raise InvalidRefreshToken()
            await uow.sessions.record_use(token, now)
            await uow.commit()
        return issued

    async def _hand_out_again(
        self,
        uow: UnitOfWork,
        token: RefreshToken,
        command: RefreshAccessToken,
        now: datetime,
        roles: frozenset[str],
    ) -> IssuedTokens:
        """The successor the token's rotation issued moments ago, if it is still live."""
        successor_secret = token.replacement_secret(command.refresh_token)
        successor = (
            await uow.refresh_tokens.get_for_update(refresh_token_hash(successor_secret))
            if successor_secret is not None
            else None
        )
        if (
            successor_secret is None
            or successor is None
            or successor.revoked_at is not None
            or successor.expired(now, self.refresh_family_lifetime)
        ):
            raise await self._reused(uow, token, now, command)
        return hand_out(successor, successor_secret, self.tokens, now, roles)

    @staticmethod
    async def _reused(
        uow: UnitOfWork, token: RefreshToken, now: datetime, client: RefreshAccessToken
    ) -> InvalidRefreshToken:
        log.warning(
            "refresh token reused: family revoked",
            extra={"user_id": str(token.user_id), "family_id": str(token.family_id)},
        )
        # The owner hears of it when live tokens ended: replaying a token of a family that had
        # ended already (signed out, say) is no news.
        if await uow.refresh_tokens.revoke_family(token.family_id, now):
            user = await uow.users.get(token.user_id)
            if user is not None:
                session = {"session_signed_in_at": token.auth_time.isoformat()}
                await uow.audit.add(
                    SecurityEvent.of(
                        "refresh_token.reuse_detected", user.id, now, client, **session
                    )
                )
                await uow.events.add(UserEvent.notice("user.refresh_token_reused", user, now))
                await uow.events.add_public(session_ended(user.id, token.family_id, now))
        await uow.commit()
        return InvalidRefreshToken()

    @staticmethod
    async def _retire_family(
        uow: UnitOfWork, token: RefreshToken, now: datetime
    ) -> InvalidRefreshToken:
        await uow.refresh_tokens.revoke_family(token.family_id, now)
        await uow.commit()
        return InvalidRefreshToken()
