"""What the use cases need from the outside world. Adapters implement these; tests fake them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Literal, Protocol, Self

from core.domain import ActionPurpose, ActionToken, DomainError, RateLimit, RefreshToken, User
from core.events import UserEvent


class UserRepository(Protocol):
    """Users by id or login name. `add` and `save` raise Conflict on a taken username or email."""

    async def add(self, user: User) -> None: ...

    async def get(self, user_id: uuid.UUID) -> User | None: ...

    async def find_by_login(self, login: str) -> User | None:
        """The user whose username or email equals `login`, case-insensitively."""
        ...

    async def save(self, user: User) -> None: ...

    async def set_password_hash(
        self, user_id: uuid.UUID, password_hash: str, *, replacing: str
    ) -> None:
        """Store a new hash only if the stored one is still `replacing` (else do nothing)."""
        ...

    async def delete(self, user_id: uuid.UUID) -> None:
        """Delete the user, and with them their refresh tokens."""
        ...

    async def set_email_status(
        self, user_id: uuid.UUID, status: str, *, email: str, now: datetime
    ) -> bool:
        """Record the check's outcome, only if the address is still `email`; True if it was."""
        ...

    async def confirm_email(self, user_id: uuid.UUID, *, email: str, now: datetime) -> bool:
        """Mark the address verified, only if the user's address is still `email`; True if so."""
        ...

    async def claim_stale_pending(
        self, before: datetime, now: datetime, limit: int
    ) -> list[uuid.UUID]:
        """Users pending since before `before`, stamped `now` so others skip them a while."""
        ...

    async def rejected_before(self, before: datetime, limit: int) -> list[User]: ...


class UserReader(Protocol):
    """Reads for queries: no transaction, nothing to roll back."""

    async def get(self, user_id: uuid.UUID) -> User | None: ...

    async def find_by_login(self, login: str) -> User | None:
        """The user whose username or email equals `login`, case-insensitively."""
        ...


class RefreshTokenRepository(Protocol):
    """Refresh tokens, found by the hash of their secret (the secret itself is never stored)."""

    async def add(self, token: RefreshToken) -> bool:
        """Store the token only if its user still exists at `token.token_version`; False when
        the user was deleted or changed the password meanwhile (nothing is stored then)."""
        ...

    async def get_for_update(self, token_hash: str) -> RefreshToken | None:
        """The token with this hash, locked until the transaction ends: of two concurrent uses,
        the second waits and then sees what the first did to it."""
        ...

    async def revoke(self, token_id: uuid.UUID, now: datetime) -> None: ...

    async def revoke_family(self, family_id: uuid.UUID, now: datetime) -> None:
        """Revoke every token of the family that is not revoked yet."""
        ...

    async def revoke_all(self, user_id: uuid.UUID, now: datetime) -> None:
        """Revoke every token of the user that is not revoked yet."""
        ...


class ActionTokenRepository(Protocol):
    """Single-use mailed tokens, found by the hash of their secret (the secret is never stored)."""

    async def add(self, token: ActionToken) -> None: ...

    async def use(
        self, token_hash: str, purpose: ActionPurpose, now: datetime
    ) -> ActionToken | None:
        """Mark the token used, only if it has this purpose, is unused and has not expired, in
        one atomic step: of two concurrent uses exactly one gets the token, the other None."""
        ...

    async def invalidate(self, user_id: uuid.UUID, purpose: ActionPurpose, now: datetime) -> None:
        """Use up every unused token of the user for this purpose (a newer one replaces them)."""
        ...


class EventOutbox(Protocol):
    """Events to publish, written in the transaction of the change; a relay publishes them."""

    async def add(self, event: UserEvent) -> None: ...


class UnitOfWork(Protocol):
    """One database transaction. Leaving the block without `commit()` rolls it back."""

    @property
    def users(self) -> UserRepository: ...

    @property
    def events(self) -> EventOutbox: ...

    @property
    def refresh_tokens(self) -> RefreshTokenRepository: ...

    @property
    def action_tokens(self) -> ActionTokenRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


class PasswordHasher(Protocol):
    """Slow, salted password hashing. Implementations keep the CPU work off the event loop."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...

    async def verify_dummy(self, password: str) -> None:
        """Spend the time of one verification, so unknown users cost what known ones do."""
        ...

    def needs_rehash(self, password_hash: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a valid access token says about its bearer."""

    user_id: uuid.UUID
    token_version: int
    """The user's token version when the token was signed (its `ver` claim). The token speaks
    for the user only while this is still the user's version: a password change raises it."""


class TokenIssuer(Protocol):
    """Signs access tokens for a user and checks them back."""

    def issue(self, user_id: uuid.UUID, token_version: int) -> IssuedToken: ...

    def verify(self, token: str) -> AccessClaims:
        """The claims of a valid token; raises Unauthenticated otherwise. Whether the token
        version is still current is for the caller to compare with the user row."""
        ...

    def public_keys(self) -> Mapping[str, object]:
        """The JSON Web Key Set that verifies the tokens."""
        ...


@dataclass(frozen=True, slots=True)
class Admission:
    """The outcome of one attempt against a rate limit."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int
    """Seconds until the oldest counted attempt leaves the window, freeing a slot."""


class RateLimiter(Protocol):
    """A sliding-window counter per key. Refused attempts are not counted."""

    async def acquire(self, key: str, rate: RateLimit) -> Admission:
        """Count one attempt if the key is under its limit, atomically."""
        ...

    async def acquire_all(self, checks: Sequence[tuple[str, RateLimit]]) -> list[Admission]:
        """Count one attempt against every key, atomically, only if each is under its limit;
        each admission's `allowed` says whether that key had room."""
        ...

    async def reset(self, key: str) -> None:
        """Forget every attempt counted for the key."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class EmailCheckUnavailable(DomainError):
    """The reputation service failed for a passing reason; try again later."""


class EmailCheckMisconfigured(DomainError):
    """The reputation service refused our credentials: an operator must fix the settings."""


@dataclass(frozen=True, slots=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    message_id: str
    """Stable per event and recipient, so a resent mail can be recognised as the same."""


class MailSender(Protocol):
    """Delivers mail to an SMTP server.

    Raises MailServerUnavailable when the server cannot be reached (nothing is wrong with the
    mail: try again later) and MailRejected when the server refuses this mail.
    """

    async def send(self, mail: Mail) -> None: ...


class ProcessedEvents(Protocol):
    """Events whose mail was sent, so a redelivered event sends nothing twice."""

    async def seen(self, event_id: uuid.UUID) -> bool: ...

    async def mark(self, event_id: uuid.UUID) -> None: ...


Verdict = Literal[
    "deliverable", "undeliverable", "disposable", "invalid_format", "unknown", "unchecked"
]


class EmailVerifier(Protocol):
    """An email reputation service.

    Raises EmailCheckUnavailable when it fails for a passing reason (timeout, network, quota,
    5xx, an answer that is not what it documents) and EmailCheckMisconfigured when it refuses
    our credentials.
    """

    async def check(self, email: str) -> Verdict: ...


class BackgroundJobs(Protocol):
    """Work handed to the worker. Enqueueing is best effort: state in the database is the
    record, and housekeeping enqueues again what was lost."""

    async def verify_email_later(self, user_id: uuid.UUID) -> None: ...


class Bookkeeping(Protocol):
    """Rows kept only for a while: published outbox events, processed-event records, expired
    refresh tokens."""

    async def prune(self, before: datetime) -> dict[str, int]:
        """Delete what is older than `before`; returns the number of rows per table."""
        ...
