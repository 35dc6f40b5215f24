"""The second half of a ceremony in which a passkey signs: its answer is verified."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import AssertionPurpose, InvalidPasskey, Passkey, user_handle
from core.passkeys.ceremony import take_challenge
from core.ports import Clock, CredentialJson, UnitOfWork, WebAuthn


@dataclass(frozen=True, slots=True)
class VerifyAssertion:
    """Verify a browser's answer to a challenge begun with BeginAssertion for `purpose`, inside
    the caller's transaction, and return the passkey that signed (with its new counter and
    time of use, stored).

    The challenge is used up; the passkey is the one the answer names, which must belong to
    `user_id` when given (and to the user the challenge was made for, when it was). Any fault
    raises InvalidPasskey: a challenge unknown, used, expired, made for another purpose or
    user; an answer malformed, from another origin or relying party, without user
    verification, wrongly signed; a credential not registered, or not the user's. A counter
    that did not advance raises ClonedAuthenticator (an InvalidPasskey). The caller commits;
    on an error its transaction rolls back, and nothing, the challenge included, has changed."""

    webauthn: WebAuthn
    clock: Clock

    async def __call__(
        self,
        uow: UnitOfWork,
        purpose: AssertionPurpose,
        challenge_id: uuid.UUID,
        response: CredentialJson,
        user_id: uuid.UUID | None = None,
    ) -> Passkey:
        now = self.clock.now()
        challenge = await take_challenge(uow, challenge_id, purpose, now, user_id)
        expected_user = user_id if user_id is not None else challenge.user_id
        credential_id = self.webauthn.assertion_credential_id(response)
        passkey = await uow.passkeys.get_by_credential_for_update(credential_id)
        if passkey is None or expected_user not in (None, passkey.user_id):
            raise InvalidPasskey()
        assertion = self.webauthn.verify_authentication(response, challenge.challenge, passkey)
        # The user handle is what the authenticator stored with the key at registration: it
        # must name the passkey's owner, and without a known user it is what says whose it is.
        if assertion.user_handle is None and expected_user is None:
            raise InvalidPasskey()
        if assertion.user_handle not in (None, user_handle(passkey.user_id)):
            raise InvalidPasskey()
        used = passkey.used(assertion, now)
        await uow.passkeys.record_use(used)
        return used
