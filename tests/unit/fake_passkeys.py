"""In-memory fakes of the passkey ports (core/ports/passkeys.py), and answers for the fake
relying party made as a browser would make them, only readable."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from core.domain import (
    Assertion,
    ChallengePurpose,
    Conflict,
    InvalidPasskey,
    NewCredential,
    Passkey,
    User,
    WebAuthnChallenge,
)
from core.ports import CredentialJson, Passkeys, WebAuthn, WebAuthnChallenges


class InMemoryPasskeys:
    """Passkeys by id, with the unique credential id of the real table."""

    def __init__(self, rows: dict[uuid.UUID, Passkey]) -> None:
        self.rows = rows

    async def add(self, passkey: Passkey) -> None:
        if any(p.credential_id == passkey.credential_id for p in self.rows.values()):
            raise Conflict("passkey")
        self.rows[passkey.id] = passkey

    async def list_for_user(self, user_id: uuid.UUID) -> list[Passkey]:
        mine = [p for p in self.rows.values() if p.user_id == user_id]
        return sorted(mine, key=lambda p: (p.created_at, p.id))

    async def get_by_credential_for_update(self, credential_id: bytes) -> Passkey | None:
        return next((p for p in self.rows.values() if p.credential_id == credential_id), None)

    async def record_use(self, passkey: Passkey) -> None:
        stored = self.rows[passkey.id]
        self.rows[passkey.id] = replace(
            stored,
            sign_count=passkey.sign_count,
            last_used_at=passkey.last_used_at,
            backed_up=passkey.backed_up,
        )

    async def rename(self, passkey_id: uuid.UUID, user_id: uuid.UUID, name: str) -> bool:
        passkey = self.rows.get(passkey_id)
        if passkey is None or passkey.user_id != user_id:
            return False
        self.rows[passkey_id] = replace(passkey, name=name)
        return True

    async def delete(self, passkey_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        passkey = self.rows.get(passkey_id)
        if passkey is None or passkey.user_id != user_id:
            return False
        del self.rows[passkey_id]
        return True


class InMemoryWebAuthnChallenges:
    """Challenges by id, used up as the real conditional UPDATE does."""

    def __init__(self, rows: dict[uuid.UUID, WebAuthnChallenge]) -> None:
        self.rows = rows

    async def add(self, challenge: WebAuthnChallenge) -> None:
        self.rows[challenge.id] = challenge

    async def consume(
        self, challenge_id: uuid.UUID, purpose: ChallengePurpose, now: datetime
    ) -> WebAuthnChallenge | None:
        challenge = self.rows.get(challenge_id)
        if (
            challenge is None
            or challenge.purpose != purpose
            or challenge.used_at is not None
            or challenge.expires_at <= now
        ):
            return None
        self.rows[challenge_id] = used = replace(challenge, used_at=now)
        return used


class FakeWebAuthn:
    """A relying party whose options and answers are readable dicts: options carry the
    challenge (hex) and the credential ids (hex) they exclude or allow; `created` and `signed`
    make the answers. An answer to another challenge, or of the wrong kind, or naming another
    credential, is InvalidPasskey, as with the real one."""

    def registration_options(
        self, user: User, challenge: bytes, registered: Sequence[Passkey]
    ) -> dict[str, Any]:
        return {
            "challenge": challenge.hex(),
            "user": user.id.hex,
            "excludeCredentials": [p.credential_id.hex() for p in registered],
        }

    def verify_registration(self, response: CredentialJson, challenge: bytes) -> NewCredential:
        answer = _answer(response, "create", challenge)
        return NewCredential(
            credential_id=bytes.fromhex(answer["credential"]),
            public_key=b"public key of " + bytes.fromhex(answer["credential"]),
            sign_count=answer["count"],
            transports=("internal",),
            aaguid=uuid.UUID(int=0),
            backup_eligible=True,
            backed_up=True,
        )

    def authentication_options(
        self, challenge: bytes, allowed: Sequence[Passkey]
    ) -> dict[str, Any]:
        return {
            "challenge": challenge.hex(),
            "allowCredentials": [p.credential_id.hex() for p in allowed],
        }

    def assertion_credential_id(self, response: CredentialJson) -> bytes:
        if not isinstance(response, Mapping) or not isinstance(response.get("credential"), str):
            raise InvalidPasskey()
        return bytes.fromhex(response["credential"])

    def verify_authentication(
        self, response: CredentialJson, challenge: bytes, passkey: Passkey
    ) -> Assertion:
        answer = _answer(response, "get", challenge)
        if bytes.fromhex(answer["credential"]) != passkey.credential_id:
            raise InvalidPasskey()
        handle = answer.get("user_handle")
        return Assertion(
            credential_id=passkey.credential_id,
            sign_count=answer["count"],
            backed_up=True,
            user_handle=bytes.fromhex(handle) if handle is not None else None,
        )


def created(options: Mapping[str, Any], credential_id: bytes, count: int = 0) -> dict[str, Any]:
    """The answer of an authenticator that made `credential_id` for these options."""
    return {
        "kind": "create",
        "challenge": options["challenge"],
        "credential": credential_id.hex(),
        "count": count,
    }


def signed(
    options: Mapping[str, Any],
    credential_id: bytes,
    count: int = 0,
    user_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """The answer of an authenticator signing these options' challenge with `credential_id`,
    returning `user_id`'s handle when given."""
    return {
        "kind": "get",
        "challenge": options["challenge"],
        "credential": credential_id.hex(),
        "count": count,
        "user_handle": user_id.bytes.hex() if user_id is not None else None,
    }


def _answer(response: CredentialJson, kind: str, challenge: bytes) -> Mapping[str, Any]:
    if (
        not isinstance(response, Mapping)
        or response.get("kind") != kind
        or response.get("challenge") != challenge.hex()
    ):
        raise InvalidPasskey()
    return response


if TYPE_CHECKING:
    # mypy proves here that each fake satisfies its port.
    _passkeys: Passkeys = InMemoryPasskeys({})
    _challenges: WebAuthnChallenges = InMemoryWebAuthnChallenges({})
    _webauthn: WebAuthn = FakeWebAuthn()
