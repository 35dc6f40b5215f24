from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import Forbidden, InvalidCredentials, RateLimit, RateLimited
from core.ports import (
    IssuedToken,
    PasswordHasher,
    RateLimiter,
    TokenIssuer,
    UnitOfWorkFactory,
    UserReader,
)


@dataclass(frozen=True, slots=True)
class IssueAccessToken:
    login: str
    """The username or the email address."""
    password: str


@dataclass(frozen=True, slots=True)
class LoginLockout:
    """Failed logins allowed per account before further attempts are refused for a while."""

    rate: RateLimit


@dataclass(frozen=True, slots=True)
class IssueAccessTokenHandler:
    """Exchange a password for an access token.

    An unknown login and a wrong password fail the same way and take the same time. Each
    attempt takes a slot of the account's lockout window (unknown logins have windows of
    their own name), so concurrent guesses cannot outrun the limit; a success frees them all.
    """

    uow: UnitOfWorkFactory
    users: UserReader
    hasher: PasswordHasher
    tokens: TokenIssuer
    limiter: RateLimiter
    lockout: LoginLockout

    async def __call__(self, command: IssueAccessToken) -> IssuedToken:
        user = await self.users.find_by_login(command.login)
        key = f"login-failures:{user.id if user else command.login.strip().lower()}"
        attempt = await self.limiter.acquire(key, self.lockout.rate)
        if not attempt.allowed:
            raise RateLimited(
                "Too many failed logins for this account. Try again later.",
                retry_after=attempt.reset_seconds,
            )
        if user is None:
            await self.hasher.verify_dummy(command.password)
            raise InvalidCredentials()
        if not await self.hasher.verify(user.password_hash, command.password):
            raise InvalidCredentials()
        await self.limiter.reset(key)
        if user.email_status == "rejected":
            raise Forbidden(
                "Sign-in is blocked: the reputation check rejected this account's email address "
                "as undeliverable or disposable. Change it with PATCH /api/v1/users (an access "
                "token you already hold still works for that) or contact support."
            )
        if self.hasher.needs_rehash(user.password_hash):
            await self._rehash(user.id, user.password_hash, command.password)
        return self.tokens.issue(user.id)

    # The hashing parameters were raised since this hash was made: upgrade it while we know the
    # password. The stored hash changes; the profile does not, so this is not a profile update.
    async def _rehash(self, user_id: uuid.UUID, old_hash: str, password: str) -> None:
        new_hash = await self.hasher.hash(password)
        async with self.uow() as uow:
            # Compare-and-set: a password changed meanwhile must not be undone by this login.
            await uow.users.set_password_hash(user_id, new_hash, replacing=old_hash)
            await uow.commit()
