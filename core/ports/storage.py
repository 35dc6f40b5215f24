"""Ports of the database: repositories, the unit of work, and the rows kept for a while."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from core.audit.events import SecurityEvent
from core.domain import (
    ActionPurpose,
    ActionToken,
    RefreshToken,
    User,
)
from core.events import UserEvent
from core.ports.identities import LinkedIdentityRepository
from core.ports.passkeys import Passkeys, WebAuthnChallenges
from core.ports.second_factors import MfaChallengeRepository, SecondFactorRepository
from core.ports.sessions import SessionRepository
from core.public_events import AccountEvent


class UserRepository(Protocol):
    """Users by id or login name. `add` and `save` raise Conflict on a taken username or email."""

    async def add(self, user: User) -> None: ...

    async def get(self, user_id: uuid.UUID) -> User | None: ...

    async def get_with_session(
        self, user_id: uuid.UUID, session_id: uuid.UUID
    ) -> tuple[User | None, bool]:
        """The user, and whether `session_id` is a session of theirs that has not ended, read
        in the one query that loads the user."""
        ...

    async def get_for_update(self, user_id: uuid.UUID) -> User | None:
        """The user, locked until the transaction ends: concurrent changes of the same account
        (confirm and cancel of an email change, say) run one after the other."""
        ...

    async def find_by_login(self, login: str) -> User | None:
        """The user whose username or email equals `login` compared as `login_key` spells
        it: case-insensitively, and an address in any spelling of its domain."""
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

    async def get_with_session(
        self, user_id: uuid.UUID, session_id: uuid.UUID
    ) -> tuple[User | None, bool]:
        """The user, and whether `session_id` is a session of theirs that has not ended, read
        in the one query that loads the user: checking an access token's session adds no round
        trip to the request."""
        ...

    async def find_by_login(self, login: str) -> User | None:
        """The user whose username or email equals `login` compared as `login_key` spells
        it: case-insensitively, and an address in any spelling of its domain."""
        ...


@dataclass(frozen=True, slots=True)
class ListPosition:
    """Where a page of the administrators' list ended: its last account. The list is ordered
    by (created_at, id), newest first, which no change to an account moves."""

    created_at: datetime
    user_id: uuid.UUID


class UserDirectory(Protocol):
    """Every account, searched and paged for administrators: reads, no transaction."""

    async def search(
        self, *, prefix: str | None, status: str | None, after: ListPosition | None, limit: int
    ) -> list[User]:
        """At most `limit` accounts whose username or email starts with `prefix` (compared in
        lower case), whose `User.status` is `status` (when given), newest first, from just
        after `after` (when given)."""
        ...


class RefreshTokenRepository(Protocol):
    """Refresh tokens, found by the hash of their secret (the secret itself is never stored)."""

    async def add(self, token: RefreshToken) -> bool:
        """Store the token only if its user still exists at `token.token_version`; False when
        the user was deleted or changed the password meanwhile (nothing is stored then)."""
        ...

    async def get(self, token_hash: str) -> RefreshToken | None:
        """The token with this hash, read without a lock (nothing is changed on its account)."""
        ...

    async def get_for_update(self, token_hash: str) -> RefreshToken | None:
        """The token with this hash, locked until the transaction ends: of two concurrent uses,
        the second waits and then sees what the first did to it."""
        ...

    async def rotate(self, token_id: uuid.UUID, successor_id: uuid.UUID, now: datetime) -> None:
        """Revoke the token as replaced by `successor_id` (unless it is revoked already)."""
        ...

    async def revoke_family(self, family_id: uuid.UUID, now: datetime) -> int:
        """Revoke every token of the family that is not revoked yet, and end its session;
        returns how many tokens were revoked."""
        ...

    async def revoke_all(self, user_id: uuid.UUID, now: datetime) -> list[uuid.UUID]:
        """Revoke every token of the user that is not revoked yet, and end every session;
        returns the ids of the sessions that were live until now."""
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

    async def add(self, event: UserEvent) -> None:
        """A lifecycle event, for the mailer (EVENTS_TOPIC)."""
        ...

    async def add_public(self, *events: AccountEvent) -> None:
        """Account events, for other services (PUBLIC_EVENTS_TOPIC)."""
        ...


class AuditTrail(Protocol):
    """Users' security events: appended in the transaction of what they record, read by their
    owner newest first, forgotten after the retention period."""

    async def add(self, *events: SecurityEvent) -> None: ...

    async def newest(
        self, user_id: uuid.UUID, limit: int, before: tuple[datetime, uuid.UUID] | None = None
    ) -> list[SecurityEvent]:
        """At most `limit` of the user's events, newest first in the order of (at, id); with
        `before`, only those after that position in this order (older ones)."""
        ...

    async def prune(self, before: datetime) -> int:
        """Delete every event older than `before`; returns how many."""
        ...


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

    @property
    def passkeys(self) -> Passkeys: ...

    @property
    def webauthn_challenges(self) -> WebAuthnChallenges: ...

    @property
    def audit(self) -> AuditTrail: ...

    @property
    def second_factors(self) -> SecondFactorRepository: ...

    @property
    def mfa_challenges(self) -> MfaChallengeRepository: ...

    @property
    def linked_identities(self) -> LinkedIdentityRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...

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


class ProcessedEvents(Protocol):
    """Events whose mail was sent, so a redelivered event sends nothing twice."""

    async def seen(self, event_id: uuid.UUID) -> bool: ...

    async def mark(self, event_id: uuid.UUID) -> None: ...


class Bookkeeping(Protocol):
    """Rows kept only for a while: published outbox events, processed-event records, expired
    refresh tokens, sessions long over, WebAuthn challenges."""

    async def prune(self, before: datetime) -> dict[str, int]:
        """Delete what is older than `before`; returns the number of rows per table."""
        ...

    async def prune_sessions(self, before: datetime) -> int:
        """Delete the sessions last used before `before` that have no refresh token left (the
        tokens themselves are pruned once expired); returns how many."""
        ...

    async def prune_challenges(self, now: datetime) -> int:
        """Delete the WebAuthn challenges that expired before `now`, used or not: they are worth
        nothing afterwards, and anyone may start a sign-in ceremony (so they pile up quickly)."""
        ...
