"""What the passkey ceremonies share: the ceremony handed to the browser, the answer that comes
back, and the use of its challenge then."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.domain import ChallengePurpose, InvalidPasskey, WebAuthnChallenge
from core.ports import CredentialJson, UnitOfWork


@dataclass(frozen=True, slots=True)
class Ceremony:
    """A ceremony begun: the options for `navigator.credentials.create()` or `.get()`, and the
    id of their challenge, which the client sends back with the browser's answer."""

    challenge_id: uuid.UUID
    options: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PasskeyAnswer:
    """A browser's answer to an assertion ceremony: the id of the ceremony's challenge, and
    what `navigator.credentials.get()` gave for it, as JSON."""

    challenge_id: uuid.UUID
    credential: CredentialJson


async def take_challenge(
    uow: UnitOfWork,
    challenge_id: uuid.UUID,
    purpose: ChallengePurpose,
    now: datetime,
    user_id: uuid.UUID | None = None,
) -> WebAuthnChallenge:
    """Use up the challenge, inside the caller's transaction. InvalidPasskey when it is unknown,
    used, expired or made for another purpose, or made for a user other than `user_id`."""
    challenge = await uow.webauthn_challenges.consume(challenge_id, purpose, now)
    if challenge is None:
        raise InvalidPasskey()
    if user_id is not None and challenge.user_id not in (None, user_id):
        raise InvalidPasskey()
    return challenge
