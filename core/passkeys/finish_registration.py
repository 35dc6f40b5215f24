"""The caller's browser answers the registration ceremony: the new passkey is stored."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.audit.events import SecurityEvent
from core.domain import DEFAULT_PASSKEY_NAME, Passkey, check_passkey_name
from core.events import UserEvent
from core.passkeys.ceremony import take_challenge
from core.ports import Clock, CredentialJson, UnitOfWorkFactory, WebAuthn
from core.sessions.bearer import bearer_user


@dataclass(frozen=True, slots=True)
class FinishPasskeyRegistration:
    user_id: uuid.UUID
    challenge_id: uuid.UUID
    response: CredentialJson
    """What `navigator.credentials.create()` gave, as JSON."""
    name: str | None = None
    """What the owner calls the passkey; DEFAULT_PASSKEY_NAME when not given."""
    token_version: int | None = None
    client_ip: str | None = None
    user_agent: str | None = None
    session_id: uuid.UUID | None = None
    """The `sid` of the caller's access token: refused once that session has ended."""


@dataclass(frozen=True, slots=True)
class FinishPasskeyRegistrationHandler:
    """Verify the browser's answer to the caller's registration challenge and store the passkey
    it made, under its name. The account's address is told that a passkey was added, and the
    audit trail records a second factor added: from then on a password sign-in asks for it.
    The challenge (begun after re-authentication, see BeginPasskeyRegistrationHandler) is used
    up with it. Any fault of the answer (or of the challenge: unknown, used, expired, another
    user's) raises InvalidPasskey and stores nothing; a credential registered already raises
    Conflict."""

    uow: UnitOfWorkFactory
    webauthn: WebAuthn
    clock: Clock

    async def __call__(self, command: FinishPasskeyRegistration) -> Passkey:
        name = check_passkey_name(command.name or DEFAULT_PASSKEY_NAME)
        now = self.clock.now()
        async with self.uow() as uow:
            user = await bearer_user(uow.users, command)
            challenge = await take_challenge(uow, command.challenge_id, "register", now, user.id)
            credential = self.webauthn.verify_registration(command.response, challenge.challenge)
            passkey = Passkey.register(user.id, credential, name, now)
            await uow.passkeys.add(passkey)
            await uow.events.add(UserEvent.passkey_added(user, now))
            added = SecurityEvent.of("second_factor.added", user.id, now, command, method="passkey")
            await uow.audit.add(added)
            await uow.commit()
        return passkey
