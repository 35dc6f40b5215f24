"""Passkeys (WebAuthn credentials) and the single-use challenges their ceremonies answer."""

from __future__ import annotations

import logging
import secrets
import unicodedata
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal, get_args

from core.domain.errors import ClonedAuthenticator, InvalidInput

log = logging.getLogger("core.passkeys")

# Long enough for a person to find and unlock their authenticator, short enough that a
# challenge lying around is worth nothing. The options tell the browser the same.
CHALLENGE_TTL = timedelta(minutes=5)
# What a passkey's signature is asked for: to sign in with it alone, as the second step after
# the password, or to confirm a signed-in user again before something sensitive.
AssertionPurpose = Literal["sign_in", "second_step", "step_up"]
ChallengePurpose = Literal["register", AssertionPurpose]
CHALLENGE_PURPOSES: tuple[ChallengePurpose, ...] = ("register", *get_args(AssertionPurpose))
PASSKEY_NAME_MAX_LENGTH = 64
DEFAULT_PASSKEY_NAME = "Passkey"


def user_handle(user_id: uuid.UUID) -> bytes:
    """The WebAuthn user handle of a user: the bytes of the account's random id, so that an
    authenticator stores nothing that names the person (no username, no address)."""
    return user_id.bytes


def passkey_name_problem(name: str) -> str | None:
    """What is wrong with a passkey's name (it is shown back in pages and lists): empty, too
    long, or holding control characters; None when nothing is."""
    name = unicodedata.normalize("NFC", name).strip()
    if not name:
        return "Must not be empty."
    if len(name) > PASSKEY_NAME_MAX_LENGTH:
        return f"Must be at most {PASSKEY_NAME_MAX_LENGTH} characters long."
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        return "Must not contain control characters."
    return None


def check_passkey_name(name: str) -> str:
    """The name as stored (NFC, trimmed); InvalidInput when passkey_name_problem finds one."""
    problem = passkey_name_problem(name)
    if problem is not None:
        raise InvalidInput({"name": [problem]})
    return unicodedata.normalize("NFC", name).strip()


@dataclass(frozen=True, slots=True)
class WebAuthnChallenge:
    """The random bytes one ceremony's authenticator signs. Used once, for the one purpose it
    was made for, within CHALLENGE_TTL."""

    id: uuid.UUID
    purpose: ChallengePurpose
    challenge: bytes
    expires_at: datetime
    user_id: uuid.UUID | None = None
    """The user the ceremony is for; None for a discoverable sign-in, where the passkey that
    answers says whose it is."""
    used_at: datetime | None = None

    @classmethod
    def issue(
        cls, purpose: ChallengePurpose, now: datetime, user_id: uuid.UUID | None = None
    ) -> WebAuthnChallenge:
        return cls(
            id=uuid.uuid4(),
            purpose=purpose,
            challenge=secrets.token_bytes(32),
            expires_at=now + CHALLENGE_TTL,
            user_id=user_id,
        )


@dataclass(frozen=True, slots=True)
class NewCredential:
    """A credential an authenticator made, as its verified registration response describes it."""

    credential_id: bytes
    public_key: bytes
    """The credential's public key as the authenticator gave it (a COSE_Key)."""
    sign_count: int
    transports: tuple[str, ...]
    aaguid: uuid.UUID
    """The authenticator's model (all zeros when it does not say)."""
    backup_eligible: bool
    """Whether the key may be synced to other devices (a multi-device passkey)."""
    backed_up: bool


@dataclass(frozen=True, slots=True)
class Assertion:
    """What a verified authentication response says."""

    credential_id: bytes
    sign_count: int
    backed_up: bool
    user_handle: bytes | None
    """The user handle the authenticator stored with the credential, when it returned one."""


@dataclass(frozen=True, slots=True)
class Passkey:
    """A user's registered WebAuthn credential. Only its public key is kept."""

    id: uuid.UUID
    user_id: uuid.UUID
    credential_id: bytes
    public_key: bytes
    sign_count: int
    transports: tuple[str, ...]
    name: str
    aaguid: uuid.UUID
    created_at: datetime
    backup_eligible: bool
    backed_up: bool
    last_used_at: datetime | None = None

    @classmethod
    def register(
        cls, user_id: uuid.UUID, credential: NewCredential, name: str, now: datetime
    ) -> Passkey:
        return cls(
            id=uuid.uuid4(),
            user_id=user_id,
            credential_id=credential.credential_id,
            public_key=credential.public_key,
            sign_count=credential.sign_count,
            transports=credential.transports,
            name=check_passkey_name(name),
            aaguid=credential.aaguid,
            created_at=now,
            backup_eligible=credential.backup_eligible,
            backed_up=credential.backed_up,
        )

    def used(self, assertion: Assertion, now: datetime) -> Passkey:
        """The passkey after a verified assertion: its new counter, time of use and backup state.

        An authenticator that counts raises its counter at every signature. A counter that goes
        back, or stays where it was while not zero, means a second authenticator holds the same
        key: a copy. That assertion is refused (ClonedAuthenticator) and logged with the
        passkey's id. Authenticators that do not count (synced passkeys) say 0 every time, and
        0 after 0 is allowed."""
        counting = assertion.sign_count > 0 or self.sign_count > 0
        if counting and assertion.sign_count <= self.sign_count:
            log.warning(
                "passkey counter did not advance: a cloned authenticator?",
                extra={
                    "passkey_id": str(self.id),
                    "user_id": str(self.user_id),
                    "stored_count": self.sign_count,
                    "presented_count": assertion.sign_count,
                },
            )
            raise ClonedAuthenticator()
        return replace(
            self, sign_count=assertion.sign_count, last_used_at=now, backed_up=assertion.backed_up
        )
