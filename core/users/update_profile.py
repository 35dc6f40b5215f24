"""The caller changes their username, email or password."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.audit.events import SecurityEvent
from core.domain import (
    Conflict,
    InvalidInput,
    SecondFactorProof,
    User,
    check_email,
    check_password,
    check_username,
    normalise_email,
)
from core.email_reputation.screen import EmailScreen, Screening
from core.mail.quota import MailQuota
from core.mfa.reauthentication import Reauthentication
from core.mfa.second_factors import SecondFactors
from core.passkeys.ceremony import PasskeyAnswer
from core.passwords.policy import PasswordPolicy
from core.ports import (
    ActionTokenSecrets,
    Clock,
    PasswordHasher,
    UnitOfWorkFactory,
    UserReader,
)
from core.sessions.bearer import bearer_user
from core.users.changes import save_changes

REAUTHENTICATE = "Required to change the email address or the password."


@dataclass(frozen=True, slots=True)
class UpdateProfile:
    user_id: uuid.UUID
    username: str | None = None
    email: str | None = None
    password: str | None = None
    current_password: str | None = None
    code: str | None = None
    """With an email or password change, when two-step sign-in is on: a code from the
    authenticator app; or else `recovery_code`, or `passkey` when the account has passkeys."""
    recovery_code: str | None = None
    passkey: PasskeyAnswer | None = None
    """A passkey's answer to a step-up challenge (POST /api/v1/mfa/passkeys/step-up-options)."""
    token_version: int | None = None
    """The `ver` of the caller's access token (the API always sends it); None checks none."""
    client_ip: str | None = None
    user_agent: str | None = None
    session_id: uuid.UUID | None = None
    """The `sid` of the caller's access token: refused once that session has ended."""


@dataclass(frozen=True, slots=True)
class UpdateProfileHandler:
    """Change username, email or password.

    The email and the password are what recover an account, so changing either needs the
    current password in the same request, and a second factor when the account has one (see
    Reauthentication): an access token alone (leaked, stolen) is not enough. A wrong one is a
    failed sign-in of the account (lockout). A new password retires
    every token issued before it. A new email becomes pending: it is mailed a confirmation,
    the current address is mailed a link that cancels the change, and nothing else changes
    until the new address confirms.

    The slow steps (argon2, the reputation service) run before the transaction opens, so a
    burst of changes holds no database connection while it waits on them. A pending address
    the reputation service could not judge yet is checked once it is confirmed."""

    uow: UnitOfWorkFactory
    users: UserReader
    hasher: PasswordHasher
    clock: Clock
    screen: EmailScreen
    reauthentication: Reauthentication
    quota: MailQuota
    secrets: ActionTokenSecrets
    passwords: PasswordPolicy

    async def __call__(self, command: UpdateProfile) -> User:
        if command.username is not None:
            check_username(command.username)
        if command.email is not None:
            check_email(command.email)
        if command.password is not None:
            check_password(command.password)
        user = await bearer_user(self.users, command)
        new_email = None
        if command.email is not None and normalise_email(command.email) != user.email:
            new_email = normalise_email(command.email)
        proof = None
        if command.password is not None or new_email is not None:
            proof = await self._reauthenticate(user, command)
        new_hash = None
        if command.password is not None:
            identities = (user.username, user.email, command.username, command.email)
            await self.passwords.check(command.password, identities=identities)
            new_hash = await self.hasher.hash(command.password)
        screening: Screening | None = None
        if new_email is not None:
            screening = await self.screen(new_email)
            holder = await self.users.find_by_login(new_email)
            if holder is not None and holder.id != user.id:
                raise Conflict("email")
            await self.quota.require(new_email)
        async with self.uow() as uow:
            # Read again in the transaction: the token version check also refuses a change
            # whose password was checked against a hash that was replaced meanwhile.
            user = await bearer_user(uow.users, command)
            now = self.clock.now()
            updated = user.with_changes(
                now=now,
                username=command.username,
                email=command.email,
                password_hash=new_hash,
                email_status=screening.status if screening else "unchecked",
            )
            await SecondFactors.use(uow, user, proof, now)
            if updated.changed:
                await save_changes(uow, user, updated, now, self.secrets)
                if new_hash is not None:
                    await uow.audit.add(SecurityEvent.of("password.changed", user.id, now, command))
                if "pending_email" in updated.changed and (asked := updated.pending_email):
                    requested = SecurityEvent.of(
                        "email_change.requested", user.id, now, command, new_email=asked
                    )
                    await uow.audit.add(requested)
            if updated.changed or proof is not None:
                await uow.commit()
        return updated

    async def _reauthenticate(self, user: User, command: UpdateProfile) -> SecondFactorProof | None:
        if command.current_password is None:
            raise InvalidInput({"current_password": [REAUTHENTICATE]})
        return await self.reauthentication.check(
            user,
            command.current_password,
            code=command.code,
            recovery_code=command.recovery_code,
            passkey=command.passkey,
            client=command,
            checked_for="profile_change",
            wrong_password="The current password is wrong.",
        )
