"""The providers linked to an account: list them, unlink one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import Forbidden, InvalidInput
from core.domain.identities import LastWayToSignIn, LinkedIdentity, has_usable_password
from core.identities.link import SET_A_PASSWORD
from core.lockout import LoginLockout
from core.mfa.second_factors import SecondFactors
from core.ports import PasswordHasher, UnitOfWorkFactory, UserReader
from core.sessions.bearer import bearer_user


@dataclass(frozen=True, slots=True)
class LinkedIdentities:
    user_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class LinkedIdentitiesHandler:
    """The user's linked identities, oldest first."""

    uow: UnitOfWorkFactory

    async def __call__(self, query: LinkedIdentities) -> list[LinkedIdentity]:
        async with self.uow() as uow:
            return await uow.linked_identities.of_user(query.user_id)


@dataclass(frozen=True, slots=True)
class UnlinkIdentity:
    user_id: uuid.UUID
    identity_id: uuid.UUID
    password: str
    token_version: int | None = None
    client_ip: str | None = None
    session_id: uuid.UUID | None = None
    """The `sid` of the caller's access token: refused once that session has ended."""


@dataclass(frozen=True, slots=True)
class UnlinkIdentityHandler:
    """Unlink one of the user's identities, with the current password (a wrong one is a failed
    sign-in: lockout). Refused when it would leave no way to sign in: no usable password and
    no other linked identity (LastWayToSignIn)."""

    uow: UnitOfWorkFactory
    users: UserReader
    hasher: PasswordHasher
    lockout: LoginLockout
    second_factors: SecondFactors

    async def __call__(self, command: UnlinkIdentity) -> None:
        user = await bearer_user(self.users, command)
        async with self.uow() as uow:
            links = await uow.linked_identities.of_user(user.id)
        _check_can_unlink(links, command.identity_id, has_usable_password(user))
        attempt = await self.lockout.attempt(user, user.username, command.client_ip)
        if not await self.hasher.verify(user.password_hash, command.password):
            raise Forbidden("The password is wrong.")
        # A password alone is no finished sign-in of an account with a second factor.
        second_factor = bool(await self.second_factors.methods(user.id))
        await self.lockout.password_passed(attempt, second_factor=second_factor)
        async with self.uow() as uow:
            # Again in the transaction: a concurrent unlink or reset must not slip between.
            current = await bearer_user(uow.users, command)
            links = await uow.linked_identities.of_user(current.id)
            _check_can_unlink(links, command.identity_id, has_usable_password(current))
            await uow.linked_identities.remove(current.id, command.identity_id)
            await uow.commit()


def _check_can_unlink(
    links: list[LinkedIdentity], identity_id: uuid.UUID, password_usable: bool
) -> None:
    if all(link.id != identity_id for link in links):
        raise InvalidInput({"identity": ["This provider is not linked to the account."]})
    if not password_usable:
        others = [link for link in links if link.id != identity_id]
        raise LastWayToSignIn() if not others else Forbidden(SET_A_PASSWORD)
