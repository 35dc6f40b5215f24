from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import InvalidCredentials
from core.ports import IssuedToken, PasswordHasher, TokenIssuer, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class IssueAccessToken:
    login: str
    """The username or the email address."""
    password: str


@dataclass(frozen=True, slots=True)
class IssueAccessTokenHandler:
    """Exchange a password for an access token.

    An unknown login and a wrong password fail the same way and take the same time.
    """

    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    tokens: TokenIssuer

    async def __call__(self, command: IssueAccessToken) -> IssuedToken:
        async with self.uow() as uow:
            user = await uow.users.find_by_login(command.login)
        if user is None:
            await self.hasher.verify_dummy(command.password)
            raise InvalidCredentials()
        if not await self.hasher.verify(user.password_hash, command.password):
            raise InvalidCredentials()
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
