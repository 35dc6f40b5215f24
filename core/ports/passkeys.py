"""Ports of passkeys: where they and their ceremonies' challenges are stored, and the WebAuthn
relying party that makes the options a browser is given and verifies what it answers."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from core.domain import Assertion, ChallengePurpose, NewCredential, Passkey, User, WebAuthnChallenge

CredentialJson = str | Mapping[str, Any]
"""A PublicKeyCredential as the browser's `toJSON()` gives it: the parsed object or its text."""


class Passkeys(Protocol):
    """Users' passkeys, inside the unit of work."""

    async def add(self, passkey: Passkey) -> None:
        """Raises Conflict("passkey") when the credential is registered already."""
        ...

    async def list_for_user(self, user_id: uuid.UUID) -> list[Passkey]:
        """The user's passkeys, oldest first."""
        ...

    async def get_by_credential_for_update(self, credential_id: bytes) -> Passkey | None:
        """The passkey of this credential, locked until the transaction ends: two assertions
        of one passkey take turns at its counter."""
        ...

    async def record_use(self, passkey: Passkey) -> None:
        """Store the counter, time of last use and backup state of `passkey`."""
        ...

    async def rename(self, passkey_id: uuid.UUID, user_id: uuid.UUID, name: str) -> bool:
        """Rename the user's passkey; False when the user has no passkey of this id."""
        ...

    async def delete(self, passkey_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        """Delete the user's passkey; False when the user has no passkey of this id."""
        ...


class WebAuthnChallenges(Protocol):
    """The challenges of ceremonies under way, inside the unit of work."""

    async def add(self, challenge: WebAuthnChallenge) -> None: ...

    async def consume(
        self, challenge_id: uuid.UUID, purpose: ChallengePurpose, now: datetime
    ) -> WebAuthnChallenge | None:
        """Mark the challenge used, only if it has this purpose, is unused and has not expired,
        in one atomic step: of two concurrent uses exactly one gets it, the other None."""
        ...


class WebAuthn(Protocol):
    """The WebAuthn relying party (its id, name and the origins it accepts are its own
    configuration). Options are JSON-ready dicts for `navigator.credentials.create()` and
    `.get()`, binary values in base64url as the browser's `parseCreationOptionsFromJSON` reads
    them.

    Every method that reads what a client sent raises InvalidPasskey on bad input of any kind:
    malformed JSON, CBOR or base64, another challenge, origin or relying party, no user
    verification, a signature that does not verify, a credential other than the one expected.
    Nothing here blocks: the work is parsing and one signature check."""

    def registration_options(
        self, user: User, challenge: bytes, registered: Sequence[Passkey]
    ) -> dict[str, Any]:
        """Options to create a passkey for `user`: a discoverable credential (resident key
        required) with user verification required, attestation "none", and the user's
        `registered` passkeys excluded so that one authenticator is not registered twice."""
        ...

    def verify_registration(self, response: CredentialJson, challenge: bytes) -> NewCredential:
        """The credential a registration response created, once it answers `challenge` from an
        accepted origin for this relying party, with the user present and verified."""
        ...

    def authentication_options(
        self, challenge: bytes, allowed: Sequence[Passkey]
    ) -> dict[str, Any]:
        """Options to sign `challenge` with user verification required: with one of `allowed`
        (a known user's passkeys), or with any passkey of this relying party when `allowed` is
        empty (a discoverable sign-in)."""
        ...

    def assertion_credential_id(self, response: CredentialJson) -> bytes:
        """The credential id an authentication response names, read without verifying it (to
        find the passkey whose public key verifies it)."""
        ...

    def verify_authentication(
        self, response: CredentialJson, challenge: bytes, passkey: Passkey
    ) -> Assertion:
        """What an authentication response says, once it is `passkey`'s signature over
        `challenge` from an accepted origin for this relying party, with the user present and
        verified. The signature counter is returned, not judged: that is `Passkey.used`."""
        ...
