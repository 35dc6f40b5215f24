"""Sign-in with a password: an access token and the refresh token of a new session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.audit.events import SecurityEvent
from core.audit.failed_password import RecordFailedPassword
from core.domain import (
    ACCOUNT_DISABLED,
    Forbidden,
    InvalidCredentials,
    MfaChallenge,
    RefreshToken,
    SecondFactorRequired,
    User,
)
from core.lockout import LoginLockout
from core.mfa.second_factors import SecondFactors
from core.ports import (
    Clock,
    PasswordHasher,
    TokenIssuer,
    UnitOfWork,
    UnitOfWorkFactory,
    UserReader,
)
from core.tokens.issued import SIGN_IN_BLOCKED, IssuedTokens, store_refresh_token


@dataclass(frozen=True, slots=True)
class IssueAccessToken:
    login: str
    """The username or the email address."""
    password: str
    client_ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class IssueAccessTokenHandler:
    """Exchange a password for an access token and a refresh token (a new token family).

    An unknown login and a wrong password fail the same way and take the same time. Failed
    attempts lock strangers out of the account, never the networks its owner signs in from
    (see LoginLockout).

    An account with two-step sign-in gets no tokens for its password alone: the right password
    raises SecondFactorRequired with an mfa_token, a single-use token of a few minutes that
    CompleteSignInHandler takes with a code. Only that second step makes the client's network
    familiar.
    """

    uow: UnitOfWorkFactory
    users: UserReader
    hasher: PasswordHasher
    tokens: TokenIssuer
    lockout: LoginLockout
    second_factors: SecondFactors
    clock: Clock
    refresh_ttl: timedelta
    refresh_family_lifetime: timedelta
    failed_password: RecordFailedPassword

    async def __call__(self, command: IssueAccessToken) -> IssuedTokens:
        user = await self.users.find_by_login(command.login)
        attempt = await self.lockout.attempt(user, command.login, command.client_ip)
        if user is None:
            await self.hasher.verify_dummy(command.password)
            raise InvalidCredentials()
        if not await self.hasher.verify(user.password_hash, command.password):
            await self.failed_password(attempt, user, "sign_in", command)
            raise InvalidCredentials()
        second_factors = await self.second_factors.methods(user.id)
        await self.lockout.password_passed(attempt, second_factor=bool(second_factors))
        if user.disabled_at is not None:
            raise Forbidden(ACCOUNT_DISABLED)
        if user.email_status == "rejected":
            raise Forbidden(SIGN_IN_BLOCKED)
        new_hash = None
        if self.hasher.needs_rehash(user.password_hash):
            new_hash = await self.hasher.hash(command.password)
        if second_factors:
            raise await self._second_step(user, new_hash, second_factors)
        now = self.clock.now()
        secret, refresh = RefreshToken.start(
            user,
            now=now,
            ttl=self.refresh_ttl,
            family_lifetime=self.refresh_family_lifetime,
        )
        async with self.uow() as uow:
            if new_hash is not None:
                await self._rehash(uow, user, new_hash)
            issued = await store_refresh_token(
                uow, refresh, secret, self.tokens, command, user.roles
            )
            if issued is None:
                # The password was changed (or the account deleted) since we checked it.
                raise InvalidCredentials()
            signed_in = SecurityEvent.of(
                "sign_in.succeeded", user.id, now, command, method="password"
            )
            await uow.audit.add(signed_in)
            await uow.commit()
        return issued

    async def _second_step(
        self, user: User, new_hash: str | None, methods: tuple[str, ...]
    ) -> SecondFactorRequired:
        mfa_token, challenge = MfaChallenge.issue(user, self.clock.now())
        async with self.uow() as uow:
            if new_hash is not None:
                await self._rehash(uow, user, new_hash)
            await uow.mfa_challenges.add(challenge)
            await uow.commit()
        return SecondFactorRequired(mfa_token, methods)

    # The hashing parameters were raised since this hash was made: upgrade it while we know the
    # password. The stored hash changes; the profile does not, so this is not a profile update.
    @staticmethod
    async def _rehash(uow: UnitOfWork, user: User, new_hash: str) -> None:
        # Compare-and-set: a password changed meanwhile must not be undone by this login.
        await uow.users.set_password_hash(user.id, new_hash, replacing=user.password_hash)
