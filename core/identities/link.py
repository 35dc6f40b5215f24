"""Link a provider's identity to the signed-in account."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import Forbidden, normalise_email
from core.domain.identities import (
    ExternalIdentity,
    IdentityTaken,
    LinkedIdentity,
    has_usable_password,
)
from core.lockout import LoginLockout
from core.mfa.second_factors import SecondFactors
from core.ports import Clock, PasswordHasher, UnitOfWorkFactory, UserReader
from core.sessions.bearer import bearer_user

SET_A_PASSWORD = (
    "This account has no password yet. Set one first (Forgot your password? mails a link), "
    "then link or unlink providers with it."
)


@dataclass(frozen=True, slots=True)
class LinkIdentity:
    user_id: uuid.UUID
    identity: ExternalIdentity
    token_version: int | None = None
    current_password: str | None = None
    """Re-entered on the account page. None only right after the person signed in to this
    account in this browser, to link the identity whose address is the account's: that
    sign-in proved what the password would."""
    client_ip: str | None = None
    session_id: uuid.UUID | None = None
    """The `sid` of the caller's access token: refused once that session has ended."""


@dataclass(frozen=True, slots=True)
class LinkIdentityHandler:
    """Link the identity to the user: from then on it signs in to this account. Needs the
    current password (a wrong one is a failed sign-in: lockout), or a sign-in just made for
    the purpose. An identity linked to another account stays there (IdentityTaken)."""

    uow: UnitOfWorkFactory
    users: UserReader
    hasher: PasswordHasher
    lockout: LoginLockout
    second_factors: SecondFactors
    clock: Clock

    async def __call__(self, command: LinkIdentity) -> LinkedIdentity:
        identity = command.identity
        user = await bearer_user(self.users, command)
        if command.current_password is not None:
            if not has_usable_password(user):
                raise Forbidden(SET_A_PASSWORD)
            attempt = await self.lockout.attempt(user, user.username, command.client_ip)
            if not await self.hasher.verify(user.password_hash, command.current_password):
                raise Forbidden("The password is wrong.")
            # A password alone is no finished sign-in of an account with a second factor.
            second_factor = bool(await self.second_factors.methods(user.id))
            await self.lockout.password_passed(attempt, second_factor=second_factor)
        elif identity.email is None or normalise_email(identity.email) != user.email:
            raise Forbidden(
                f"You signed in to an account with another address than {identity.label} "
                f"gave, so {identity.label} was not linked. Link it on the account page."
            )
        async with self.uow() as uow:
            current = await bearer_user(uow.users, command)
            existing = await uow.linked_identities.find(identity.issuer, identity.subject)
            if existing is not None:
                if existing.user_id == current.id:
                    return existing
                raise IdentityTaken(identity.label)
            linked = LinkedIdentity.link(current, identity, self.clock.now())
            await uow.linked_identities.add(linked)
            await uow.commit()
        return linked
