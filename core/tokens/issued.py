"""What a sign-in and a refresh hand out, and the steps they take to hand it out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.audit.events import Client
from core.domain import RefreshToken
from core.ports import IssuedToken, TokenIssuer, UnitOfWork
from core.sessions.begin import begin_session

SIGN_IN_BLOCKED = (
    "Sign-in is blocked: the reputation check rejected this account's email address "
    "as undeliverable or disposable. Change it with PATCH /api/v1/users (an access "
    "token you already hold still works for that) or contact support."
)


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    """An access token and the refresh token that obtains its successor."""

    access: IssuedToken
    refresh_token: str
    refresh_expires_in: int


async def store_refresh_token(
    uow: UnitOfWork,
    token: RefreshToken,
    secret: str,
    tokens: TokenIssuer,
    client: Client | None = None,
    roles: frozenset[str] = frozenset(),
) -> IssuedTokens | None:
    """Store `token`, the first of a new family, with the session it begins (see
    begin_session: `client` is where the sign-in came from), and sign the access token that
    goes with it, at the same token version, in that session and with the user's `roles`; None
    when the user was deleted or changed the password meanwhile."""
    if not await uow.refresh_tokens.add(token):
        return None
    await begin_session(uow, token, client)
    return hand_out(token, secret, tokens, token.created_at, roles)


async def store_successor(
    uow: UnitOfWork,
    token: RefreshToken,
    secret: str,
    tokens: TokenIssuer,
    roles: frozenset[str] = frozenset(),
) -> IssuedTokens | None:
    """Store `token`, a rotation's successor in its family, and sign its access token, as
    store_refresh_token does; its session goes on."""
    if not await uow.refresh_tokens.add(token):
        return None
    return hand_out(token, secret, tokens, token.created_at, roles)


def hand_out(
    token: RefreshToken,
    secret: str,
    tokens: TokenIssuer,
    now: datetime,
    roles: frozenset[str] = frozenset(),
) -> IssuedTokens:
    """The refresh token's `secret` with a new access token at the family's token version,
    sign-in time and sign-in methods (a refresh does not make the session look freshly signed
    in, nor signed in another way), in the family's session (`sid`), carrying the user's
    `roles` as they are now."""
    access = tokens.issue(
        token.user_id, token.token_version, token.auth_time, token.amr, token.family_id, roles
    )
    return IssuedTokens(access, secret, int((token.expires_at - now).total_seconds()))
