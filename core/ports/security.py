"""Ports of credentials: password hashing and the lists a new password is checked against,
signed access tokens, rate limits."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.domain import DomainError, RateLimit, User


class PasswordHasher(Protocol):
    """Slow, salted password hashing. Implementations keep the CPU work off the event loop.

    Passwords are given as typed; what is hashed is their normal form
    (`core.domain.normalise_password`). A hash made before passwords were normalised still
    verifies against the password as typed, and `needs_rehash` says it should be replaced."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...

    async def verify_dummy(self, password: str) -> None:
        """Spend the time of one verification, so unknown users cost what known ones do."""
        ...

    def needs_rehash(self, password_hash: str) -> bool: ...


class CommonPasswords(Protocol):
    """A list of the passwords people choose most often: the first ones any guesser tries."""

    def contains(self, password: str) -> bool:
        """Whether the password is on the list, regardless of case."""
        ...


class BreachCheckUnavailable(DomainError):
    """The breached-password corpus could not be asked (timeout, network, an odd answer)."""


class BreachedPasswords(Protocol):
    """A corpus of passwords known from data breaches, asked without giving the password (or
    its full hash) away."""

    async def times_seen(self, password: str) -> int:
        """How often the password appears in the corpus; 0 when never. Raises
        BreachCheckUnavailable when the corpus cannot be asked."""
        ...


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
    auth_time: datetime | None = None
    """When the user last proved who they are with the password (its `auth_time` claim):
    refreshing keeps the sign-in's time. None in tokens signed before the claim existed."""
    amr: tuple[str, ...] = ()
    """How that sign-in was made (its `amr` claim, RFC 8176): ("pwd",), ("pwd", "otp") or
    ("pwd", "rcv"). Empty in tokens signed before the claim existed."""
    roles: frozenset[str] = frozenset()
    """The user's roles when the token was signed (its `roles` claim). A claim alone grants
    nothing: whoever acts on a role checks it against the user row as well."""
    session_id: uuid.UUID | None = None
    """The session (refresh-token family) the token was issued in (its `sid` claim): the token
    speaks for the user only while that session has not ended. None in tokens signed before the
    claim existed, which stay valid until they expire."""


class TokenIssuer(Protocol):
    """Signs access tokens for a user and checks them back."""

    def issue(
        self,
        user_id: uuid.UUID,
        token_version: int,
        auth_time: datetime,
        amr: Sequence[str] = ("pwd",),
        session_id: uuid.UUID | None = None,
        roles: frozenset[str] = frozenset(),
    ) -> IssuedToken:
        """A token for the user at `token_version` in the session `session_id`, saying the user
        signed in at `auth_time` by the methods `amr` and holds `roles` (a claim only when there
        are any)."""
        ...

    def verify(self, token: str) -> AccessClaims:
        """The claims of a valid token; raises Unauthenticated otherwise. Whether the token
        version is still current, and its session live, is for the caller to read with the user
        row."""
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

    async def give_back(self, key: str) -> None:
        """Uncount the key's most recent attempt (one that turned out not to count)."""
        ...


class ActionTokenSecrets(Protocol):
    """The secret of a mailed single-use token, derived from its id and the address it is for
    with a key that only the processes that issue and mail tokens hold: an id sent elsewhere
    derives a secret that opens nothing."""

    def secret_for(self, token_id: uuid.UUID, email: str) -> str: ...


class TotpSecretBox(Protocol):
    """Seals TOTP secrets for storage, with a key kept outside the database: a copy of the
    database does not give away the codes of anyone's authenticator. A sealed secret opens
    only for the user it was sealed for."""

    def seal(self, user_id: uuid.UUID, secret: str) -> bytes: ...

    def open(self, user_id: uuid.UUID, sealed: bytes) -> str | None:
        """The secret; None when it does not open (sealed with another key, for another user,
        or altered): no code matches it then, and a recovery code is the way in."""
        ...


class FamiliarAddresses(Protocol):
    """Client networks that signed in to an account successfully in the recent past, since its
    last password change (a new password forgets them all)."""

    async def seen(self, user: User, network: str) -> bool: ...

    async def remember(self, user: User, network: str) -> None: ...


class LockoutCounter(RateLimiter, Protocol):
    """The counter of failed sign-ins. Unlike the request limits, when it cannot count it
    refuses (Unavailable) rather than let guesses through, unless configured to fail open."""
