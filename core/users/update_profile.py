"""The caller changes their username, email or password."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import (
    Forbidden,
    InvalidInput,
    User,
    check_email,
    check_password,
    check_username,
    normalise_email,
    token_holder,
)
from core.email_reputation.screen import EmailScreen, Screening
from core.passwords.policy import PasswordPolicy
from core.ports import BackgroundJobs, Clock, PasswordHasher, UnitOfWorkFactory, UserReader
from core.users.changes import save_changes


@dataclass(frozen=True, slots=True)
class UpdateProfile:
    user_id: uuid.UUID
    username: str | None = None
    email: str | None = None
    password: str | None = None
    current_password: str | None = None
    token_version: int | None = None
    """The `ver` of the caller's access token (the API always sends it); None checks none."""


@dataclass(frozen=True, slots=True)
class UpdateProfileHandler:
    """Change username, email or password. A new password needs the current one, and retires
    every token issued before it: access tokens by the user's token version, refresh tokens by
    revocation. A new email is unverified until the token mailed to it comes back.

    The slow steps (argon2, the reputation service) run before the transaction opens, so a
    burst of changes holds no database connection while it waits on them."""

    uow: UnitOfWorkFactory
    users: UserReader
    hasher: PasswordHasher
    clock: Clock
    screen: EmailScreen
    jobs: BackgroundJobs
    passwords: PasswordPolicy

    async def __call__(self, command: UpdateProfile) -> User:
        if command.username is not None:
            check_username(command.username)
        if command.email is not None:
            check_email(command.email)
        if command.password is not None:
            check_password(command.password)
            if command.current_password is None:
                raise InvalidInput({"current_password": ["Required to change the password."]})
        user = token_holder(await self.users.get(command.user_id), command.token_version)
        new_hash = None
        if command.password is not None:
            assert command.current_password is not None
            if not await self.hasher.verify(user.password_hash, command.current_password):
                raise Forbidden("The current password is wrong.")
            identities = (user.username, user.email, command.username, command.email)
            await self.passwords.check(command.password, identities=identities)
            new_hash = await self.hasher.hash(command.password)
        screening: Screening | None = None
        if command.email is not None and normalise_email(command.email) != user.email:
            screening = await self.screen(command.email)
        async with self.uow() as uow:
            # Read again in the transaction: the token version check also refuses a change
            # whose password was checked against a hash that was replaced meanwhile.
            user = token_holder(await uow.users.get(command.user_id), command.token_version)
            now = self.clock.now()
            updated = user.with_changes(
                now=now,
                username=command.username,
                email=command.email,
                password_hash=new_hash,
                email_status=screening.status if screening else "unchecked",
            )
            if updated.changed:
                await save_changes(uow, user, updated, now)
                await uow.commit()
        if screening is not None and screening.retry_in_background and "email" in updated.changed:
            await self.jobs.check_email_reputation_later(updated.id)
        return updated
