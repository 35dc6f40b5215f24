"""Who may use the administrators' API: decided here, and only here."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain import ADMIN_ROLE, Forbidden, User, token_holder
from core.mfa.second_factors import SecondFactors
from core.ports import AccessClaims, UserReader

NOT_AN_ADMIN = "This needs an administrator's account."


SECOND_FACTOR_NEEDED = (
    "Your account has two-step sign-in: sign in with it (password and code) to use the "
    "administration API."
)
SECOND_FACTOR_METHODS = frozenset({"otp", "rcv", "hwk"})
"""The `amr` methods (RFC 8176) that mean a second factor was used in the sign-in."""


def require_second_factor(admin: User, claims: AccessClaims, has_second_factor: bool) -> None:
    """When the administrator's account has a second factor, the access token must say it was
    used in the sign-in (its `amr` claim): else Forbidden, so a stolen password alone never
    reaches these endpoints."""
    if has_second_factor and not SECOND_FACTOR_METHODS & set(claims.amr):
        raise Forbidden(SECOND_FACTOR_NEEDED)


@dataclass(frozen=True, slots=True)
class AuthorizeAdmin:
    """The administrator an access token speaks for, or Unauthenticated (no such user, a
    disabled one, a token from before the last password change or end of sessions) or
    Forbidden (not an administrator).

    The token must carry the `admin` role, and so must the user's row as it is now, read in
    the one query that loads the user anyway: a role taken away stops working at once, not
    when the token expires, and a token that claims a role the row lacks gets nothing."""

    users: UserReader
    second_factors: SecondFactors

    async def __call__(self, claims: AccessClaims) -> User:
        admin = token_holder(await self.users.get(claims.user_id), claims.token_version)
        if ADMIN_ROLE not in claims.roles or not admin.is_admin:
            raise Forbidden(NOT_AN_ADMIN)
        require_second_factor(admin, claims, bool(await self.second_factors.methods(admin.id)))
        return admin
