"""Sign-up: a new account, and a mail that confirms its address."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain import User, check_email, check_username
from core.email_reputation.screen import EmailScreen
from core.events import UserEvent
from core.mail.quota import MailQuota
from core.passwords.policy import PasswordPolicy
from core.ports import (
    ActionTokenSecrets,
    BackgroundJobs,
    Clock,
    PasswordHasher,
    UnitOfWorkFactory,
)
from core.public_events import user_created
from core.users.changes import request_verification


@dataclass(frozen=True, slots=True)
class RegisterUser:
    username: str
    email: str
    password: str


@dataclass(frozen=True, slots=True)
class RegisterUserHandler:
    """Create an account, and mail a token that confirms its address (unless the address has
    had its quota of such mails: it can ask again later). A taken username or email raises
    Conflict, decided by the database. The password must pass the policy; it and the
    reputation check may wait on outside services, so both run before the transaction."""

    uow: UnitOfWorkFactory
    hasher: PasswordHasher
    clock: Clock
    screen: EmailScreen
    jobs: BackgroundJobs
    quota: MailQuota
    secrets: ActionTokenSecrets
    passwords: PasswordPolicy

    async def __call__(self, command: RegisterUser) -> User:
        check_username(command.username)
        check_email(command.email)
        await self.passwords.check(command.password, identities=(command.username, command.email))
        screening = await self.screen(command.email)
        password_hash = await self.hasher.hash(command.password)
        user = User.register(
            username=command.username,
            email=command.email,
            password_hash=password_hash,
            now=self.clock.now(),
            email_status=screening.status,
        )
        async with self.uow() as uow:
            await uow.users.add(user)  # Conflict here counts no mail against the address
            await uow.events.add(UserEvent.created(user))
            await uow.events.add_public(user_created(user))
            if await self.quota.take(user.email):
                await request_verification(uow, user, user.created_at, self.secrets)
            await uow.commit()
        if screening.retry_in_background:
            await self.jobs.check_email_reputation_later(user.id)
        return user
