"""A ceremony in which a passkey signs: the first half of signing in with a passkey, of the
second step after the password, and of confirming a signed-in user again (step-up)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import AssertionPurpose, WebAuthnChallenge
from core.passkeys.ceremony import Ceremony
from core.ports import Clock, UnitOfWork, WebAuthn


@dataclass(frozen=True, slots=True)
class BeginAssertion:
    """Store a challenge for `purpose` and make the options for `navigator.credentials.get()`,
    inside the caller's transaction (the caller commits).

    For a known user (`user_id`) the options allow that user's passkeys only, and only one of
    them may answer; without one they allow any (a discoverable sign-in: the passkey that
    answers says whose it is). A known user without passkeys gets options that allow none in
    particular: whether to offer the ceremony at all is the caller's to decide."""

    webauthn: WebAuthn
    clock: Clock

    async def __call__(
        self, uow: UnitOfWork, purpose: AssertionPurpose, user_id: uuid.UUID | None = None
    ) -> Ceremony:
        allowed = await uow.passkeys.list_for_user(user_id) if user_id is not None else []
        challenge = WebAuthnChallenge.issue(purpose, self.clock.now(), user_id)
        await uow.webauthn_challenges.add(challenge)
        options = self.webauthn.authentication_options(challenge.challenge, allowed)
        return Ceremony(challenge.id, options)
