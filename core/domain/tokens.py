"""Credentials kept as hashes: refresh tokens and mailed single-use tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from core.domain.users import User


def refresh_token_hash(secret: str) -> str:
    # A refresh token is 256 random bits: nobody can guess one from its hash, so one fast hash
    # is enough to make a stolen table useless. A slow password hash would only add latency.
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _successor_secret(secret: str, successor_id: uuid.UUID) -> str:
    # Derived, not drawn, so that whoever presents `secret` again within the reuse grace period
    # can be handed the same successor although no secret is stored. The successor's id is
    # random and kept only in the database: an old secret alone does not give away the tokens
    # that descend from it, so a thief must still present the old one (and be caught).
    key = secret.encode("utf-8", "surrogatepass")
    digest = hmac.new(key, b"successor:" + successor_id.bytes, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """A stored refresh token: only the hash of its secret is kept.

    A login starts a family; each use rotates the token: it is revoked, marked as rotated
    (`rotated_at`, `replaced_by`) and its successor joins the same family. A family belongs to
    one user and to the user's token version at its start, and it lives at most a fixed time
    from that sign-in (`auth_time`, copied to every successor with the sign-in's methods,
    `amr`) however often it is rotated.
    """

    id: uuid.UUID
    family_id: uuid.UUID
    user_id: uuid.UUID
    token_hash: str
    token_version: int
    created_at: datetime
    expires_at: datetime
    auth_time: datetime
    """When the user signed in (with the password or a passkey) to begin this family."""
    amr: tuple[str, ...] = ("pwd",)
    """How that sign-in was made (RFC 8176): ("pwd",), ("pwd", "otp"), ("pwd", "rcv"),
    ("pwd", "hwk"), with a passkey alone ("hwk",), or ("ext",) through a provider; copied to
    every successor, and carried by every access token of the family."""
    revoked_at: datetime | None = None
    rotated_at: datetime | None = None
    """Set (with `revoked_at`) when a use replaced the token; unset when a logout, a password
    change or a detected reuse revoked it."""
    replaced_by: uuid.UUID | None = None
    """The id of the successor a rotation issued."""
    provider: str | None = None
    """The provider of an `ext` sign-in (its short name in the settings)."""

    @classmethod
    def start(
        cls,
        user: User,
        *,
        now: datetime,
        ttl: timedelta,
        family_lifetime: timedelta,
        amr: tuple[str, ...] = ("pwd",),
        provider: str | None = None,
    ) -> tuple[str, RefreshToken]:
        """A new family for `user`, signed in `now` (by `amr`, through `provider` if any);
        returns the secret (given to the client once) and the row."""
        secret = secrets.token_urlsafe(32)
        token = cls(
            id=uuid.uuid4(),
            family_id=uuid.uuid4(),
            user_id=user.id,
            token_hash=refresh_token_hash(secret),
            token_version=user.token_version,
            created_at=now,
            expires_at=now + min(ttl, family_lifetime),
            auth_time=now,
            amr=amr,
            provider=provider,
        )
        return secret, token

    def successor(
        self, secret: str, *, now: datetime, ttl: timedelta, family_lifetime: timedelta
    ) -> tuple[str, RefreshToken]:
        """The next token of this family, living `ttl` from now but not past the family's
        lifetime; `secret` is this token's own. Returns the successor's secret and its row."""
        successor_id = uuid.uuid4()
        successor_secret = _successor_secret(secret, successor_id)
        token = replace(
            self,
            id=successor_id,
            token_hash=refresh_token_hash(successor_secret),
            created_at=now,
            expires_at=min(now + ttl, self.auth_time + family_lifetime),
            revoked_at=None,
            rotated_at=None,
            replaced_by=None,
        )
        return successor_secret, token

    def replacement_secret(self, secret: str) -> str | None:
        """The secret of the successor that rotating this token issued, worked out again from
        this token's own `secret`; None if the token was not rotated."""
        if self.replaced_by is None:
            return None
        return _successor_secret(secret, self.replaced_by)

    def rotated_within(self, grace: timedelta, now: datetime) -> bool:
        """Whether a use rotated this token less than `grace` ago."""
        return self.rotated_at is not None and now < self.rotated_at + grace

    def expired(self, now: datetime, family_lifetime: timedelta) -> bool:
        """Past its own expiry, or its family past its lifetime (checked here too, so that a
        lifetime lowered since the token was issued holds for it as well)."""
        return now >= self.expires_at or now >= self.auth_time + family_lifetime


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
        secret_for: Callable[[uuid.UUID, str], str],
        email: str | None = None,
    ) -> ActionToken:
        """A token for `email` (the user's current address by default). Its secret is
        `secret_for(id, email)`, a keyed derivation only the web and mail processes can compute,
        so the id can travel to the mailer through the outbox and Kafka without opening
        anything."""
        token_id = uuid.uuid4()
        address = email or user.email
        return cls(
            id=token_id,
            user_id=user.id,
            purpose=purpose,
            token_hash=action_token_hash(secret_for(token_id, address)),
            email=address,
            expires_at=now + ACTION_TOKEN_TTL[purpose],
            created_at=now,
        )
