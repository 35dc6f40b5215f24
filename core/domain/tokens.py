"""Credentials kept as hashes: refresh tokens and mailed single-use tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from core.domain.users import User


def refresh_token_hash(secret: str) -> str:
    # A refresh token is 256 random bits: nobody can guess one from its hash, so one fast hash
    # is enough to make a stolen table useless. A slow password hash would only add latency.
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """A stored refresh token: only the hash of its secret is kept.

    A login starts a family; each use revokes the token and issues its successor in the same
    family. A family belongs to one user and to the user's token version at its start.
    """

    id: uuid.UUID
    family_id: uuid.UUID
    user_id: uuid.UUID
    token_hash: str
    token_version: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    @classmethod
    def start(cls, user: User, *, now: datetime, ttl: timedelta) -> tuple[str, RefreshToken]:
        """A new family for `user`; returns the secret (given to the client once) and the row."""
        return cls._issue(uuid.uuid4(), user.id, user.token_version, now, ttl)

    def successor(self, *, now: datetime, ttl: timedelta) -> tuple[str, RefreshToken]:
        """The next token of this family, living `ttl` from now."""
        return self._issue(self.family_id, self.user_id, self.token_version, now, ttl)

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    @classmethod
    def _issue(
        cls,
        family_id: uuid.UUID,
        user_id: uuid.UUID,
        token_version: int,
        now: datetime,
        ttl: timedelta,
    ) -> tuple[str, RefreshToken]:
        secret = secrets.token_urlsafe(32)
        token = cls(
            id=uuid.uuid4(),
            family_id=family_id,
            user_id=user_id,
            token_hash=refresh_token_hash(secret),
            token_version=token_version,
            created_at=now,
            expires_at=now + ttl,
        )
        return secret, token


def action_token_hash(secret: str) -> str:
    # 256 random bits, like a refresh token: one fast hash is enough (see refresh_token_hash).
    return refresh_token_hash(secret)


ActionPurpose = Literal[
    "verify_email", "reset_password", "cancel_email_change", "revert_email_change"
]
ACTION_TOKEN_TTL: dict[ActionPurpose, timedelta] = {
    "verify_email": timedelta(hours=24),
    "reset_password": timedelta(minutes=30),
    # Mailed to the old address when a change is asked for, and when it is confirmed.
    "cancel_email_change": timedelta(days=7),
    "revert_email_change": timedelta(days=7),
}


@dataclass(frozen=True, slots=True)
class ActionToken:
    """A single-use token mailed to `email` to prove its owner is there: confirming an address,
    resetting the password, cancelling or reverting an email change. Only the hash of its secret
    is stored, like a refresh token's; the secret is derived from the id (see `issue`)."""

    id: uuid.UUID
    user_id: uuid.UUID
    purpose: ActionPurpose
    token_hash: str
    email: str
    """The address the token was sent to."""
    expires_at: datetime
    created_at: datetime
    used_at: datetime | None = None

    @classmethod
    def issue(
        cls,
        user: User,
        purpose: ActionPurpose,
        *,
        now: datetime,
        secret_for: Callable[[uuid.UUID], str],
        email: str | None = None,
    ) -> ActionToken:
        """A token for `email` (the user's current address by default). Its secret is
        `secret_for(id)`, a keyed derivation only the web and mail processes can compute, so the
        id can travel to the mailer through the outbox and Kafka without opening anything."""
        token_id = uuid.uuid4()
        return cls(
            id=token_id,
            user_id=user.id,
            purpose=purpose,
            token_hash=action_token_hash(secret_for(token_id)),
            email=email or user.email,
            expires_at=now + ACTION_TOKEN_TTL[purpose],
            created_at=now,
        )
