"""The caller starts adding a passkey to their account."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import WebAuthnChallenge
from core.passkeys.ceremony import Ceremony
from core.ports import Clock, UnitOfWorkFactory, WebAuthn
from core.sessions.bearer import bearer_user


@dataclass(frozen=True, slots=True)
class BeginPasskeyRegistration:
    user_id: uuid.UUID
    token_version: int | None = None
    """The `ver` of the caller's access token; None checks none."""
    session_id: uuid.UUID | None = None
    """The `sid` of the caller's access token: refused once that session has ended."""


@dataclass(frozen=True, slots=True)
class BeginPasskeyRegistrationHandler:
    """A challenge for a new passkey of the caller (stored, single-use, for CHALLENGE_TTL) and
    the options for `navigator.credentials.create()`: a discoverable credential with user
    verification, excluding the passkeys the account has, so that an authenticator that holds
    one already says so instead of making a second."""

    uow: UnitOfWorkFactory
    webauthn: WebAuthn
    clock: Clock

    async def __call__(self, command: BeginPasskeyRegistration) -> Ceremony:
        async with self.uow() as uow:
            user = await bearer_user(uow.users, command)
            registered = await uow.passkeys.list_for_user(user.id)
            challenge = WebAuthnChallenge.issue("register", self.clock.now(), user.id)
            await uow.webauthn_challenges.add(challenge)
            await uow.commit()
        options = self.webauthn.registration_options(user, challenge.challenge, registered)
        return Ceremony(challenge.id, options)
