"""Who may use the administrators' API: decided here, and only here."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain import ADMIN_ROLE, Forbidden, User, token_holder
from core.ports import AccessClaims, UserReader

NOT_AN_ADMIN = "This needs an administrator's account."


def require_second_factor(admin: User, claims: AccessClaims) -> None:
    """SECOND FACTOR OF ADMINISTRATORS: the one place this check goes.

    When the administrator's account has a second factor (TOTP, a passkey), the access token
    must say it was used in the sign-in (its `amr` claim, once access tokens carry it): else
    raise Forbidden, so a stolen password alone never reaches these endpoints. Accounts have
    no second factor yet, so there is nothing to check."""
    return None


@dataclass(frozen=True, slots=True)
class AuthorizeAdmin:
    """The administrator an access token speaks for, or Unauthenticated (no such user, a
    disabled one, a token from before the last password change or end of sessions) or
    Forbidden (not an administrator).

    The token must carry the `admin` role, and so must the user's row as it is now, read in
    the one query that loads the user anyway: a role taken away stops working at once, not
    when the token expires, and a token that claims a role the row lacks gets nothing."""

    users: UserReader

    async def __call__(self, claims: AccessClaims) -> User:
        admin = token_holder(await self.users.get(claims.user_id), claims.token_version)
        if ADMIN_ROLE not in claims.roles or not admin.is_admin:
            raise Forbidden(NOT_AN_ADMIN)
        require_second_factor(admin, claims)
        return admin
