"""Browser sessions: who a session belongs to, read on every page that needs the user."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from core.domain import Unauthenticated, User, refresh_token_hash, token_holder
from core.ports import Clock, UnitOfWorkFactory

SIGNED_OUT = "The session has ended. Sign in again."


@dataclass(frozen=True, slots=True)
class GetSessionUser:
    refresh_token: str
    """The secret the browser holds: the refresh token of a password sign-in."""


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A browser's live session and the user it speaks for."""

    user: User
    session_id: uuid.UUID
    """The session (refresh-token family) of the cookie's token."""


@dataclass(frozen=True, slots=True)
class GetSessionUserHandler:
    """The user a browser session speaks for. A session is the refresh token a password
    sign-in (IssueAccessTokenHandler) started a family with, so it is listed, lives and ends
    like any other sign-in: sign-out revokes its family; a password change or reset, an email
    change cancelled or reverted, and a detected reuse revoke it with every other token of the
    user. It speaks for its user while the token is not revoked, not expired (its own expiry
    and the family's lifetime), and was issued at the user's current token version; otherwise
    Unauthenticated.

    Reading a session does not rotate its token; it records when the session was last used, at
    most once a minute (see SessionRepository.record_use). Rotation makes a stolen refresh
    token show itself when two parties use it; a session token never leaves the browser's
    HttpOnly cookie (no script can read it, and SameSite keeps other sites' requests from
    carrying it), and ending it on the server (sign-out, ended from another session, password
    change) ends it at once, because every page asks here. Rotating on each page would write
    two rows per page view and race between tabs for nothing.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    refresh_family_lifetime: timedelta

    async def __call__(self, query: GetSessionUser) -> SignedIn:
        now = self.clock.now()
        async with self.uow() as uow:
            token = await uow.refresh_tokens.get(refresh_token_hash(query.refresh_token))
            if (
                token is None
                or token.revoked_at is not None
                or token.expired(now, self.refresh_family_lifetime)
            ):
                raise Unauthenticated(SIGNED_OUT)
            user = await uow.users.get(token.user_id)
            try:
                holder = token_holder(user, token.token_version)
            except Unauthenticated:
                raise Unauthenticated(SIGNED_OUT) from None
            if await uow.sessions.record_use(token, now):
                await uow.commit()
        return SignedIn(holder, token.family_id)
