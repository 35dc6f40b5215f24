"""In-memory fakes of the ports in core/ports.py, for unit tests of the handlers."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Self

from core.audit.events import SecurityEvent
from core.domain import (
    ActionPurpose,
    ActionToken,
    Conflict,
    MfaChallenge,
    Passkey,
    RateLimit,
    RefreshToken,
    Session,
    TotpCredential,
    Unauthenticated,
    User,
    WebAuthnChallenge,
    login_key,
)
from core.domain.identities import IdentityTaken, LinkedIdentity
from core.events import UserEvent
from core.ports import (
    AccessClaims,
    ActionTokenRepository,
    Admission,
    AuditTrail,
    BackgroundJobs,
    Clock,
    EmailReputation,
    IssuedToken,
    LinkedIdentityRepository,
    ListPosition,
    MfaChallengeRepository,
    PasswordHasher,
    RateLimiter,
    RefreshTokenRepository,
    SecondFactorRepository,
    SessionRepository,
    TokenIssuer,
    TotpSecretBox,
    UnitOfWorkFactory,
    UserDirectory,
    UserReader,
    UserRepository,
    Verdict,
)
from core.public_events import AccountEvent
from tests.unit.fake_passkeys import InMemoryPasskeys, InMemoryWebAuthnChallenges
from tests.unit.second_factor_fakes import (
    InMemoryMfaChallenges,
    InMemorySecondFactors,
    ReversibleTotpSecrets,
)
from tests.unit.session_fakes import InMemorySessions


class InMemoryUsers:
    """Users in a dict, with the case-insensitive unique username and email of the real table;
    `sessions` are those the same unit of work sees (for get_with_session)."""

    def __init__(
        self, rows: dict[uuid.UUID, User], sessions: dict[uuid.UUID, Session] | None = None
    ) -> None:
        self.rows = rows
        self._sessions = sessions if sessions is not None else {}

    async def add(self, user: User) -> None:
        self._check_unique(user)
        self.rows[user.id] = _stored(user)

    async def get(self, user_id: uuid.UUID) -> User | None:
        return self.rows.get(user_id)

    async def get_with_session(
        self, user_id: uuid.UUID, session_id: uuid.UUID
    ) -> tuple[User | None, bool]:
        session = self._sessions.get(session_id)
        ended = session is not None and session.user_id == user_id and session.ended_at is not None
        return self.rows.get(user_id), not ended

    async def get_for_update(self, user_id: uuid.UUID) -> User | None:
        return self.rows.get(user_id)

    async def find_by_login(self, login: str) -> User | None:
        key = login_key(login)
        return next(
            (u for u in self.rows.values() if key in (u.username.lower(), u.email.lower())), None
        )

    async def save(self, user: User) -> None:
        if user.id in self.rows:
            self._check_unique(user)
            self.rows[user.id] = _stored(user)

    async def set_password_hash(
        self, user_id: uuid.UUID, password_hash: str, *, replacing: str
    ) -> None:
        user = self.rows.get(user_id)
        if user is not None and user.password_hash == replacing:
            self.rows[user_id] = replace(user, password_hash=password_hash)

    async def delete(self, user_id: uuid.UUID) -> None:
        self.rows.pop(user_id, None)

    async def set_email_status(
        self, user_id: uuid.UUID, status: str, *, email: str, now: datetime
    ) -> bool:
        user = self.rows.get(user_id)
        if user is None or user.email != email:
            return False
        self.rows[user_id] = replace(user, email_status=status, email_status_at=now)
        return True

    async def confirm_email(self, user_id: uuid.UUID, *, email: str, now: datetime) -> bool:
        user = self.rows.get(user_id)
        if user is None or user.email != email:
            return False
        self.rows[user_id] = replace(user, email_verified=True, updated_at=now)
        return True

    async def claim_stale_pending(
        self, before: datetime, now: datetime, limit: int
    ) -> list[uuid.UUID]:
        stale = [
            u
            for u in self.rows.values()
            if u.email_status == "pending" and u.email_status_at and u.email_status_at < before
        ][:limit]
        for user in stale:
            self.rows[user.id] = replace(user, email_status_at=now)
        return [u.id for u in stale]

    async def rejected_before(self, before: datetime, limit: int) -> list[User]:
        return [
            u
            for u in self.rows.values()
            if u.email_status == "rejected" and u.email_status_at and u.email_status_at < before
        ][:limit]

    def _check_unique(self, user: User) -> None:
        others = [u for u in self.rows.values() if u.id != user.id]
        if any(u.username.lower() == user.username.lower() for u in others):
            raise Conflict("username")
        if any(u.email.lower() == user.email.lower() for u in others):
            raise Conflict("email")


def _stored(user: User) -> User:
    # A row read back from the database carries no record of what changed.
    return replace(user, changed=frozenset())


class InMemoryRefreshTokens:
    """Refresh tokens by id; `add` checks the user's token version as the real one does, and
    revoking ends sessions in `sessions` as the real one does."""

    def __init__(
        self,
        rows: dict[uuid.UUID, RefreshToken],
        users: InMemoryUsers,
        sessions: InMemorySessions | None = None,
    ) -> None:
        self.rows = rows
        self._users = users
        self._sessions = sessions if sessions is not None else InMemorySessions({}, rows)

    async def add(self, token: RefreshToken) -> bool:
        user = self._users.rows.get(token.user_id)
        if user is None or user.token_version != token.token_version:
            return False
        self.rows[token.id] = token
        return True

    async def get(self, token_hash: str) -> RefreshToken | None:
        return next((t for t in self.rows.values() if t.token_hash == token_hash), None)

    async def get_for_update(self, token_hash: str) -> RefreshToken | None:
        return await self.get(token_hash)

    async def rotate(self, token_id: uuid.UUID, successor_id: uuid.UUID, now: datetime) -> None:
        token = self.rows[token_id]
        if token.revoked_at is None:
            self.rows[token_id] = replace(
                token, revoked_at=now, rotated_at=now, replaced_by=successor_id
            )

    async def revoke_family(self, family_id: uuid.UUID, now: datetime) -> int:
        family = [t for t in self.rows.values() if t.family_id == family_id]
        if family:
            self._sessions.end(family[0], now)
        return self._revoke_where(lambda t: t.family_id == family_id, now)

    async def revoke_all(self, user_id: uuid.UUID, now: datetime) -> list[uuid.UUID]:
        self._revoke_where(lambda t: t.user_id == user_id, now)
        return self._sessions.end_all(user_id, now)

    def _revoke_where(self, matches: Callable[[RefreshToken], bool], now: datetime) -> int:
        revoked = 0
        for token in list(self.rows.values()):
            if matches(token) and token.revoked_at is None:
                self.rows[token.id] = replace(token, revoked_at=now)
                revoked += 1
        return revoked


class InMemoryActionTokens:
    """Mailed single-use tokens by id, used up as the real conditional UPDATE does."""

    def __init__(self, rows: dict[uuid.UUID, ActionToken]) -> None:
        self.rows = rows

    async def add(self, token: ActionToken) -> None:
        self.rows[token.id] = token

    async def use(
        self, token_hash: str, purpose: ActionPurpose, now: datetime
    ) -> ActionToken | None:
        for token in self.rows.values():
            if (
                token.token_hash == token_hash
                and token.purpose == purpose
                and token.used_at is None
                and token.expires_at > now
            ):
                self.rows[token.id] = used = replace(token, used_at=now)
                return used
        return None

    async def invalidate(self, user_id: uuid.UUID, purpose: ActionPurpose, now: datetime) -> None:
        for token in list(self.rows.values()):
            if token.user_id == user_id and token.purpose == purpose and token.used_at is None:
                self.rows[token.id] = replace(token, used_at=now)


class InMemoryLinkedIdentities:
    """Linked identities by id, unique by (issuer, subject) as the real table."""

    def __init__(self, rows: dict[uuid.UUID, LinkedIdentity]) -> None:
        self.rows = rows

    async def add(self, identity: LinkedIdentity) -> None:
        if await self.find(identity.issuer, identity.subject) is not None:
            raise IdentityTaken(identity.provider)
        self.rows[identity.id] = identity

    async def find(self, issuer: str, subject: str) -> LinkedIdentity | None:
        return next(
            (i for i in self.rows.values() if (i.issuer, i.subject) == (issuer, subject)), None
        )

    async def of_user(self, user_id: uuid.UUID) -> list[LinkedIdentity]:
        return sorted(
            (i for i in self.rows.values() if i.user_id == user_id), key=lambda i: i.created_at
        )

    async def used(self, identity_id: uuid.UUID, now: datetime) -> None:
        self.rows[identity_id] = replace(self.rows[identity_id], last_used_at=now)

    async def remove(self, user_id: uuid.UUID, identity_id: uuid.UUID) -> bool:
        identity = self.rows.get(identity_id)
        if identity is None or identity.user_id != user_id:
            return False
        del self.rows[identity_id]
        return True


@dataclass
class UserStore:
    """What is committed: the shared state every unit of work starts from."""

    users: dict[uuid.UUID, User] = field(default_factory=dict)
    events: list[UserEvent] = field(default_factory=list)
    public_events: list[AccountEvent] = field(default_factory=list)
    refresh_tokens: dict[uuid.UUID, RefreshToken] = field(default_factory=dict)
    action_tokens: dict[uuid.UUID, ActionToken] = field(default_factory=dict)
    passkeys: dict[uuid.UUID, Passkey] = field(default_factory=dict)
    webauthn_challenges: dict[uuid.UUID, WebAuthnChallenge] = field(default_factory=dict)
    audit: list[SecurityEvent] = field(default_factory=list)
    totp: dict[uuid.UUID, TotpCredential] = field(default_factory=dict)
    recovery_codes: dict[uuid.UUID, set[str]] = field(default_factory=dict)
    mfa_challenges: dict[str, MfaChallenge] = field(default_factory=dict)
    sessions: dict[uuid.UUID, Session] = field(default_factory=dict)
    linked_identities: dict[uuid.UUID, LinkedIdentity] = field(default_factory=dict)
    commits: int = 0


class InMemoryOutbox:
    def __init__(self) -> None:
        self.staged: list[UserEvent] = []
        self.staged_public: list[AccountEvent] = []

    async def add(self, event: UserEvent) -> None:
        self.staged.append(event)

    async def add_public(self, *events: AccountEvent) -> None:
        self.staged_public.extend(events)


class InMemoryAuditTrail:
    """Security events in a list, read newest first by (at, id) as the real index orders them."""

    def __init__(self, rows: list[SecurityEvent]) -> None:
        self.rows = rows

    async def add(self, *events: SecurityEvent) -> None:
        self.rows.extend(events)

    async def newest(
        self, user_id: uuid.UUID, limit: int, before: tuple[datetime, uuid.UUID] | None = None
    ) -> list[SecurityEvent]:
        mine = sorted(
            (e for e in self.rows if e.user_id == user_id),
            key=lambda e: (e.at, e.id),
            reverse=True,
        )
        return [e for e in mine if before is None or (e.at, e.id) < before][:limit]

    async def prune(self, before: datetime) -> int:
        kept = [e for e in self.rows if e.at >= before]
        pruned = len(self.rows) - len(kept)
        self.rows[:] = kept
        return pruned


class InMemoryUnitOfWork:
    """Stages changes on a copy of the store; `commit` publishes them, leaving discards the rest."""

    def __init__(self, store: UserStore) -> None:
        self._store = store
        self._users: InMemoryUsers | None = None
        self._refresh_tokens: InMemoryRefreshTokens | None = None
        self._action_tokens: InMemoryActionTokens | None = None
        self._passkeys: InMemoryPasskeys | None = None
        self._webauthn_challenges: InMemoryWebAuthnChallenges | None = None
        self._audit: InMemoryAuditTrail | None = None
        self._second_factors: InMemorySecondFactors | None = None
        self._mfa_challenges: InMemoryMfaChallenges | None = None
        self._linked_identities: InMemoryLinkedIdentities | None = None
        self._sessions: InMemorySessions | None = None
        self._events = InMemoryOutbox()

    @property
    def users(self) -> InMemoryUsers:
        assert self._users is not None, "use the unit of work inside `async with`"
        return self._users

    @property
    def events(self) -> InMemoryOutbox:
        return self._events

    @property
    def refresh_tokens(self) -> InMemoryRefreshTokens:
        assert self._refresh_tokens is not None, "use the unit of work inside `async with`"
        return self._refresh_tokens

    @property
    def action_tokens(self) -> InMemoryActionTokens:
        assert self._action_tokens is not None, "use the unit of work inside `async with`"
        return self._action_tokens

    @property
    def passkeys(self) -> InMemoryPasskeys:
        assert self._passkeys is not None, "use the unit of work inside `async with`"
        return self._passkeys

    @property
    def webauthn_challenges(self) -> InMemoryWebAuthnChallenges:
        assert self._webauthn_challenges is not None, "use the unit of work inside `async with`"
        return self._webauthn_challenges

    @property
    def audit(self) -> InMemoryAuditTrail:
        assert self._audit is not None, "use the unit of work inside `async with`"
        return self._audit

    @property
    def second_factors(self) -> InMemorySecondFactors:
        assert self._second_factors is not None, "use the unit of work inside `async with`"
        return self._second_factors

    @property
    def mfa_challenges(self) -> InMemoryMfaChallenges:
        assert self._mfa_challenges is not None, "use the unit of work inside `async with`"
        return self._mfa_challenges

    @property
    def linked_identities(self) -> InMemoryLinkedIdentities:
        assert self._linked_identities is not None, "use the unit of work inside `async with`"
        return self._linked_identities

    @property
    def sessions(self) -> InMemorySessions:
        assert self._sessions is not None, "use the unit of work inside `async with`"
        return self._sessions

    async def __aenter__(self) -> Self:
        tokens = dict(self._store.refresh_tokens)
        self._sessions = InMemorySessions(dict(self._store.sessions), tokens)
        self._users = InMemoryUsers(dict(self._store.users), self._sessions.rows)
        self._refresh_tokens = InMemoryRefreshTokens(tokens, self._users, self._sessions)
        self._action_tokens = InMemoryActionTokens(dict(self._store.action_tokens))
        self._passkeys = InMemoryPasskeys(dict(self._store.passkeys))
        self._webauthn_challenges = InMemoryWebAuthnChallenges(
            dict(self._store.webauthn_challenges)
        )
        self._audit = InMemoryAuditTrail(list(self._store.audit))
        self._second_factors = InMemorySecondFactors(
            dict(self._store.totp), dict(self._store.recovery_codes)
        )
        self._mfa_challenges = InMemoryMfaChallenges(dict(self._store.mfa_challenges))
        self._linked_identities = InMemoryLinkedIdentities(dict(self._store.linked_identities))
        self._events = InMemoryOutbox()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._users = None
        self._refresh_tokens = None
        self._action_tokens = None
        self._passkeys = None
        self._webauthn_challenges = None
        self._audit = None
        self._second_factors = None
        self._mfa_challenges = None
        self._linked_identities = None
        self._sessions = None

    async def commit(self) -> None:
        self._store.users = dict(self.users.rows)
        # The tokens of deleted users go with them, as ON DELETE CASCADE does.
        self._store.refresh_tokens = {
            t.id: t for t in self.refresh_tokens.rows.values() if t.user_id in self.users.rows
        }
        self._store.action_tokens = {
            t.id: t for t in self.action_tokens.rows.values() if t.user_id in self.users.rows
        }
        self._store.passkeys = {
            p.id: p for p in self.passkeys.rows.values() if p.user_id in self.users.rows
        }
        self._store.webauthn_challenges = {
            c.id: c
            for c in self.webauthn_challenges.rows.values()
            if c.user_id is None or c.user_id in self.users.rows
        }
        self._store.audit = list(self.audit.rows)
        users = self.users.rows
        factors = self.second_factors
        self._store.totp = {u: t for u, t in factors.totp.items() if u in users}
        self._store.recovery_codes = {u: c for u, c in factors.codes.items() if u in users}
        self._store.mfa_challenges = {
            h: c for h, c in self.mfa_challenges.rows.items() if c.user_id in users
        }
        self._store.linked_identities = {
            i.id: i for i in self.linked_identities.rows.values() if i.user_id in self.users.rows
        }
        self._store.sessions = {
            i: s for i, s in self.sessions.rows.items() if s.user_id in self.users.rows
        }
        self._store.events.extend(self._events.staged)
        self._store.public_events.extend(self._events.staged_public)
        self._events.staged = []
        self._events.staged_public = []
        self._store.commits += 1


class InMemoryUnitOfWorkFactory:
    def __init__(self, store: UserStore | None = None) -> None:
        self.store = store or UserStore()

    def __call__(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.store)

    @property
    def reader(self) -> CommittedUsers:
        """Reads of what is committed, as queries see it."""
        return CommittedUsers(self.store)


class CommittedUsers:
    """The read side: always what the store holds now, committed by any unit of work."""

    def __init__(self, store: UserStore) -> None:
        self._store = store

    async def get(self, user_id: uuid.UUID) -> User | None:
        return await InMemoryUsers(self._store.users).get(user_id)

    async def get_with_session(
        self, user_id: uuid.UUID, session_id: uuid.UUID
    ) -> tuple[User | None, bool]:
        users = InMemoryUsers(self._store.users, self._store.sessions)
        return await users.get_with_session(user_id, session_id)

    async def find_by_login(self, login: str) -> User | None:
        return await InMemoryUsers(self._store.users).find_by_login(login)


class InMemoryUserDirectory:
    """The administrators' search over what is committed, ordered as the real one."""

    def __init__(self, store: UserStore) -> None:
        self._store = store

    async def search(
        self, *, prefix: str | None, status: str | None, after: ListPosition | None, limit: int
    ) -> list[User]:
        found = sorted(self._store.users.values(), key=lambda u: (u.created_at, u.id), reverse=True)
        if prefix:
            found = [
                u
                for u in found
                if prefix in (u.username.lower()[: len(prefix)], u.email[: len(prefix)])
            ]
        if status:
            found = [u for u in found if u.status == status]
        if after:
            found = [u for u in found if (u.created_at, u.id) < (after.created_at, after.user_id)]
        return found[:limit]


class FakeHasher:
    """Hashes as "fake$<params>$<password>"; raise `params` to make older hashes need a rehash."""

    def __init__(self, params: str = "v1") -> None:
        self.params = params
        self.dummy_verifications = 0

    async def hash(self, password: str) -> str:
        return f"fake${self.params}${password}"

    async def verify(self, password_hash: str, password: str) -> bool:
        parts = password_hash.split("$", 2)
        return len(parts) == 3 and parts[2] == password

    async def verify_dummy(self, password: str) -> None:
        self.dummy_verifications += 1

    def needs_rehash(self, password_hash: str) -> bool:
        return password_hash.split("$", 2)[1] != self.params


class FakeCommonPasswords:
    """A few of the most common passwords."""

    def __init__(self, passwords: Sequence[str] = ("password", "qwertyuiop", "dragon")) -> None:
        self.passwords = {p.casefold() for p in passwords}

    def contains(self, password: str) -> bool:
        return password.casefold() in self.passwords


class FakeBreachedPasswords:
    """Answers `seen[password]` (default 0); an exception in there is raised. Records what it
    was asked."""

    def __init__(self, seen: dict[str, int | Exception] | None = None) -> None:
        self.seen = seen or {}
        self.asked: list[str] = []

    async def times_seen(self, password: str) -> int:
        self.asked.append(password)
        answer = self.seen.get(password, 0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class FakeTokens:
    """Tokens are "token-for-<user id>@<token version>@<auth time, ISO 8601>@<amr, by +>@<sid>"
    (no sid: the empty string), followed by "@<role>,<role>" when the user holds roles."""

    PREFIX = "token-for-"

    def issue(
        self,
        user_id: uuid.UUID,
        token_version: int,
        auth_time: datetime,
        amr: Sequence[str] = ("pwd",),
        session_id: uuid.UUID | None = None,
        roles: frozenset[str] = frozenset(),
    ) -> IssuedToken:
        methods = "+".join(amr)
        sid = session_id or ""
        token = f"{self.PREFIX}{user_id}@{token_version}@{auth_time.isoformat()}@{methods}@{sid}"
        return IssuedToken(f"{token}@{','.join(sorted(roles))}" if roles else token, 900)

    def verify(self, token: str) -> AccessClaims:
        if token.startswith(self.PREFIX):
            user_id, _, rest = token.removeprefix(self.PREFIX).partition("@")
            version, _, rest = rest.partition("@")
            auth_time, _, rest = rest.partition("@")
            methods, _, rest = rest.partition("@")
            sid, _, roles = rest.partition("@")
            try:
                return AccessClaims(
                    uuid.UUID(user_id),
                    int(version),
                    datetime.fromisoformat(auth_time),
                    tuple(methods.split("+")) if methods else (),
                    frozenset(roles.split(",")) if roles else frozenset(),
                    uuid.UUID(sid) if sid else None,
                )
            except ValueError:
                pass
        raise Unauthenticated("The token is invalid.")

    def public_keys(self) -> Mapping[str, object]:
        return {"keys": []}


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta


class InMemoryRateLimiter:
    """The sliding window of the Redis limiter, over a list of attempt times per key."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.hits: dict[str, list[datetime]] = {}

    async def acquire(self, key: str, rate: RateLimit) -> Admission:
        now = self.clock.now()
        window = timedelta(seconds=rate.window_seconds)
        hits = [t for t in self.hits.get(key, []) if t > now - window]
        allowed = len(hits) < rate.limit
        if allowed:
            hits.append(now)
        self.hits[key] = hits
        reset = int((hits[0] + window - now).total_seconds()) if hits else 0
        return Admission(allowed, rate.limit, rate.limit - len(hits), reset)

    async def acquire_all(self, checks: Sequence[tuple[str, RateLimit]]) -> list[Admission]:
        return [await self.acquire(key, rate) for key, rate in checks]

    async def reset(self, key: str) -> None:
        self.hits.pop(key, None)

    async def give_back(self, key: str) -> None:
        if self.hits.get(key):
            self.hits[key].pop()


class FakeEmailReputation:
    """Answers `verdicts[email]` (default: unchecked); an exception in there is raised."""

    def __init__(self, verdicts: dict[str, Verdict | Exception] | None = None) -> None:
        self.verdicts = verdicts or {}

    async def check(self, email: str) -> Verdict:
        verdict = self.verdicts.get(email, "unchecked")
        if isinstance(verdict, Exception):
            raise verdict
        return verdict


class FakeJobs:
    def __init__(self) -> None:
        self.verifications: list[uuid.UUID] = []

    async def check_email_reputation_later(self, user_id: uuid.UUID) -> None:
        self.verifications.append(user_id)


if TYPE_CHECKING:
    # mypy proves here that each fake satisfies its port.
    _users: UserRepository = InMemoryUsers({})
    _refresh_tokens: RefreshTokenRepository = InMemoryRefreshTokens({}, InMemoryUsers({}))
    _sessions: SessionRepository = InMemorySessions({}, {})
    _action_tokens: ActionTokenRepository = InMemoryActionTokens({})
    _audit: AuditTrail = InMemoryAuditTrail([])
    _second_factors: SecondFactorRepository = InMemorySecondFactors({}, {})
    _mfa_challenges: MfaChallengeRepository = InMemoryMfaChallenges({})
    _totp_secrets: TotpSecretBox = ReversibleTotpSecrets()
    _linked: LinkedIdentityRepository = InMemoryLinkedIdentities({})
    _uow: UnitOfWorkFactory = InMemoryUnitOfWorkFactory()
    _reader: UserReader = InMemoryUnitOfWorkFactory().reader
    _directory: UserDirectory = InMemoryUserDirectory(UserStore())
    _hasher: PasswordHasher = FakeHasher()
    _tokens: TokenIssuer = FakeTokens()
    _clock: Clock = FixedClock(datetime(2026, 1, 1))
    _limiter: RateLimiter = InMemoryRateLimiter(_clock)
    _verifier: EmailReputation = FakeEmailReputation()
    _jobs: BackgroundJobs = FakeJobs()


class FakeActionTokenSecrets:
    """Secrets that look like what they are; derived from the id, as the real ones are."""

    def secret_for(self, token_id: uuid.UUID, email: str) -> str:
        return f"secret-of-{token_id}-for-{email}"


class InMemoryFamiliarAddresses:
    def __init__(self) -> None:
        self.known: set[tuple[uuid.UUID, int, str]] = set()

    async def seen(self, user: User, network: str) -> bool:
        return (user.id, user.token_version, network) in self.known

    async def remember(self, user: User, network: str) -> None:
        self.known.add((user.id, user.token_version, network))
