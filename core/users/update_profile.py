from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from core.domain import (
    Forbidden,
    InvalidInput,
    User,
    check_password,
    check_username,
    normalise_email,
    token_holder,
)
from core.email_check import EmailScreen
from core.events import UserEvent
from core.ports import BackgroundJobs, Clock, PasswordHasher, UnitOfWork, UnitOfWorkFactory
from core.users.confirm_email import request_verification


async def save_changes(uow: UnitOfWork, before: User, after: User, now: datetime) -> None:
    """In the caller's transaction: store a changed user and what follows from the change. A new
    password retires every refresh token (access tokens go by the raised token version); a new
    address gets a confirmation mail; and the user hears of every change."""
    await uow.users.save(after)
    if "password_hash" in after.changed:
        await uow.refresh_tokens.revoke_all(after.id, now)
    await uow.events.add(UserEvent.updated(before, after))
    if "email" in after.changed:
        await request_verification(uow, after, now)


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
    revocation. A new email is unverified until the token mailed to it comes back."""

    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    clock: Clock
    screen: EmailScreen
    jobs: BackgroundJobs

    async def __call__(self, command: UpdateProfile) -> User:
        if command.username is not None:
            check_username(command.username)
        new_hash = None
        if command.password is not None:
            check_password(command.password)
            if command.current_password is None:
                raise InvalidInput({"current_password": ["Required to change the password."]})
        screening = None
        async with self.uow() as uow:
            user = token_holder(await uow.users.get(command.user_id), command.token_version)
            if command.password is not None:
                assert command.current_password is not None
                if not await self.hasher.verify(user.password_hash, command.current_password):
                    raise Forbidden("The current password is wrong.")
                new_hash = await self.hasher.hash(command.password)
            if command.email is not None and normalise_email(command.email) != user.email:
                screening = await self.screen(command.email)
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
        if screening is not None and screening.retry_in_background:
            await self.jobs.verify_email_later(updated.id)
        return updated
