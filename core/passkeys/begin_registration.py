"""The caller starts adding a passkey to their account."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import WebAuthnChallenge
from core.mfa.reauthentication import Reauthentication
from core.mfa.second_factors import SecondFactors
from core.passkeys.ceremony import Ceremony, PasskeyAnswer
from core.ports import Clock, UnitOfWorkFactory, UserReader, WebAuthn
from core.sessions.bearer import bearer_user


@dataclass(frozen=True, slots=True)
class BeginPasskeyRegistration:
    user_id: uuid.UUID
    current_password: str
    code: str | None = None
    """When the account has a second factor already: a code from the authenticator app; or
    else `recovery_code`, or `passkey` (an answer to a step-up challenge)."""
    recovery_code: str | None = None
    passkey: PasskeyAnswer | None = None
    token_version: int | None = None
    """The `ver` of the caller's access token; None checks none."""
    client_ip: str | None = None
    user_agent: str | None = None
    session_id: uuid.UUID | None = None
    """The `sid` of the caller's access token: refused once that session has ended."""


@dataclass(frozen=True, slots=True)
class BeginPasskeyRegistrationHandler:
    """A challenge for a new passkey of the caller (stored, single-use, for CHALLENGE_TTL) and
    the options for `navigator.credentials.create()`: a discoverable credential with user
    verification, excluding the passkeys the account has, so that an authenticator that holds
    one already says so instead of making a second.

    A passkey signs its owner in, so adding one is a sensitive change: it needs the password
    and, when the account has a second factor, that factor too, in the same request (see
    Reauthentication; a wrong one is a failed sign-in). A stolen access token adds nothing."""

    uow: UnitOfWorkFactory
    users: UserReader
    webauthn: WebAuthn
    reauthentication: Reauthentication
    clock: Clock

    async def __call__(self, command: BeginPasskeyRegistration) -> Ceremony:
        user = await bearer_user(self.users, command)
        proof = await self.reauthentication.second_factor_change(user, command)
        async with self.uow() as uow:
            user = await bearer_user(uow.users, command)
            await SecondFactors.use(uow, user, proof, self.clock.now())
            registered = await uow.passkeys.list_for_user(user.id)
            challenge = WebAuthnChallenge.issue("register", self.clock.now(), user.id)
            await uow.webauthn_challenges.add(challenge)
            await uow.commit()
        options = self.webauthn.registration_options(user, challenge.challenge, registered)
        return Ceremony(challenge.id, options)
