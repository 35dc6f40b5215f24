"""Users, the rules they obey, and the errors the use cases raise."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
STALE_TOKEN = "The access token was issued before the password changed. Log in again."


class DomainError(Exception):
    """Base of every error a use case raises on purpose."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Conflict(DomainError):
    """A unique value is already taken; `field` names it, never the account holding it."""

    def __init__(self, field: str) -> None:
        super().__init__(f"This {field} is already registered.")
        self.field = field


class InvalidCredentials(DomainError):
    def __init__(self, detail: str = "Invalid username or password.") -> None:
        super().__init__(detail)


class Forbidden(DomainError):
    """The caller is known but may not do this (e.g. the re-entered password is wrong)."""


class Unauthenticated(DomainError):
    """The bearer token is missing, invalid, expired, or names no current user."""


class InvalidRefreshToken(DomainError):
    """The refresh token is unknown, expired, revoked, or no longer matches its user."""

    def __init__(
        self, detail: str = "The refresh token is invalid, expired or revoked. Log in again."
    ) -> None:
        super().__init__(detail)


class InvalidActionToken(DomainError):
    """An emailed token is unknown, expired, used, meant for something else, or was sent to an
    address the account no longer has."""

    def __init__(
        self, detail: str = "The token is invalid, expired or already used. Ask for a new one."
    ) -> None:
        super().__init__(detail)


class AlreadyVerified(DomainError):
    """The address asked to be confirmed is confirmed already."""

    def __init__(self, detail: str = "This email address is already verified.") -> None:
        super().__init__(detail)


class InvalidInput(DomainError):
    """A value breaks a domain rule; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("The request has invalid fields.")
        self.errors = errors


class RateLimited(DomainError):
    """Too many attempts; `retry_after` is the number of seconds until one more is allowed."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class MailServerUnavailable(DomainError):
    """The mail server cannot be reached; the mail itself may be fine."""


class MailRejected(DomainError):
    """The mail server refused this mail (temporarily or for good)."""


class Unavailable(DomainError):
    """A dependency the request cannot be served without is down."""


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `limit` events in any `window_seconds` long stretch of time."""

    limit: int
    window_seconds: int

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """'100/60' is 100 per 60 seconds."""
        limit, _, window = text.partition("/")
        parsed = cls(int(limit), int(window))
        if parsed.limit < 0 or parsed.window_seconds <= 0:
            raise ValueError(f"Not a rate limit: {text!r} (expected LIMIT/SECONDS)")
        return parsed


def normalise_email(email: str) -> str:
    # Addresses are stored and compared lower-case so that case never splits an account in two.
    return email.strip().lower()


def check_username(username: str) -> None:
    if not USERNAME_PATTERN.fullmatch(username):
        raise InvalidInput(
            {"username": ["Must be 3-32 characters of letters, digits, '_', '.' or '-'."]}
        )


def check_password(password: str) -> None:
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise InvalidInput(
            {"password": [f"Must be {PASSWORD_MIN_LENGTH}-{PASSWORD_MAX_LENGTH} characters long."]}
        )


@dataclass(frozen=True, slots=True)
class User:
    id: uuid.UUID
    username: str
    email: str
    password_hash: str
    email_verified: bool
    created_at: datetime
    updated_at: datetime
    email_status: str = "unchecked"
    """What the email reputation check said of the current address:
      unchecked    the check is turned off
      pending      not decided yet (the service failed); a background job keeps trying
      verified_ok  deliverable
      rejected     undeliverable or disposable: signing in is refused until the address changes
      unknown      the service could not tell, or never answered within the retries"""
    email_status_at: datetime | None = None
    token_version: int = 0
    """Raised by every password change. Access and refresh tokens carry the version they were
    issued at, so a change retires every token issued before it."""
    changed: frozenset[str] = field(default=frozenset(), compare=False)

    @classmethod
    def register(
        cls,
        *,
        username: str,
        email: str,
        password_hash: str,
        now: datetime,
        email_status: str = "unchecked",
    ) -> User:
        return cls(
            id=uuid.uuid4(),
            username=username,
            email=normalise_email(email),
            password_hash=password_hash,
            email_verified=False,
            created_at=now,
            updated_at=now,
            email_status=email_status,
            email_status_at=now,
        )

    def with_changes(
        self,
        *,
        now: datetime,
        username: str | None = None,
        email: str | None = None,
        password_hash: str | None = None,
        email_status: str = "unchecked",
    ) -> User:
        """Return the user with the given fields changed; `changed` names what really differs.

        `email_status` is what the reputation check said of a new address."""
        changes: dict[str, object] = {}
        if username is not None and username != self.username:
            changes["username"] = username
        if email is not None and normalise_email(email) != self.email:
            changes["email"] = normalise_email(email)
            # A new address has not been confirmed by anyone yet.
            changes["email_verified"] = False
            changes["email_status"] = email_status
            changes["email_status_at"] = now
        if password_hash is not None:
            changes["password_hash"] = password_hash
            changes["token_version"] = self.token_version + 1
        if not changes:
            return replace(self, changed=frozenset())
        names = frozenset(changes) - {
            "email_verified",
            "email_status",
            "email_status_at",
            "token_version",
        }
        return replace(self, **changes, updated_at=now, changed=names)  # type: ignore[arg-type]

    def accepts_token_version(self, version: int | None) -> bool:
        """Whether a token issued at `version` still speaks for this user (None: no token)."""
        return version is None or version == self.token_version


def token_holder(user: User | None, token_version: int | None) -> User:
    """The user an access token speaks for; Unauthenticated when the account is gone or the
    token predates the user's last password change."""
    if user is None:
        raise Unauthenticated("The account of this token no longer exists.")
    if not user.accepts_token_version(token_version):
        raise Unauthenticated(STALE_TOKEN)
    return user


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


ActionPurpose = Literal["verify_email", "reset_password"]
ACTION_TOKEN_TTL: dict[ActionPurpose, timedelta] = {
    "verify_email": timedelta(hours=24),
    "reset_password": timedelta(minutes=30),
}


@dataclass(frozen=True, slots=True)
class ActionToken:
    """A single-use token mailed to `email` to prove its owner is there: confirming the address,
    or resetting the password. Only the hash of its secret is stored, like a refresh token's."""

    id: uuid.UUID
    user_id: uuid.UUID
    purpose: ActionPurpose
    token_hash: str
    email: str
    """The address the token was sent to; it is good only while the account still has it."""
    expires_at: datetime
    created_at: datetime
    used_at: datetime | None = None

    @classmethod
    def issue(cls, user: User, purpose: ActionPurpose, *, now: datetime) -> tuple[str, ActionToken]:
        """A token for the user's current address; returns the secret (mailed once) and the row."""
        secret = secrets.token_urlsafe(32)
        token = cls(
            id=uuid.uuid4(),
            user_id=user.id,
            purpose=purpose,
            token_hash=action_token_hash(secret),
            email=user.email,
            expires_at=now + ACTION_TOKEN_TTL[purpose],
            created_at=now,
        )
        return secret, token
