"""The second step of a sign-in: the mfa_token of the password step and a code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.audit.events import SecurityEvent
from core.audit.failed_password import RecordFailedPassword
from core.domain import (
    ACCOUNT_DISABLED,
    Forbidden,
    InvalidCredentials,
    InvalidMfaToken,
    RefreshToken,
    mfa_token_hash,
)
from core.lockout import LoginLockout
from core.mfa.second_factors import WRONG_CODE, SecondFactors
from core.ports import Clock, TokenIssuer, UnitOfWorkFactory, UserReader
from core.tokens.issued import SIGN_IN_BLOCKED, IssuedTokens, store_refresh_token


@dataclass(frozen=True, slots=True)
class CompleteSignIn:
    mfa_token: str
    code: str | None = None
    """A code from the authenticator app; or else `recovery_code`."""
    recovery_code: str | None = None
    client_ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class CompleteSignInHandler:
    """Finish a sign-in that IssueAccessTokenHandler began (it answered SecondFactorRequired with
    an mfa_token): the same tokens as a password-only sign-in, whose access tokens say how the
    user signed in (`amr`: pwd and otp, or pwd and rcv).

    The mfa_token works for a few minutes, once, and only while the account's token version is
    the one it was issued at; otherwise InvalidMfaToken. A wrong code is InvalidCredentials and
    a failed sign-in of the account (lockout); a TOTP code is accepted once, and a recovery
    code is used up (the user is mailed how many are left)."""

    uow: UnitOfWorkFactory
    users: UserReader
    second_factors: SecondFactors
    tokens: TokenIssuer
    lockout: LoginLockout
    clock: Clock
    refresh_ttl: timedelta
    refresh_family_lifetime: timedelta
    failed_password: RecordFailedPassword

    async def __call__(self, command: CompleteSignIn) -> IssuedTokens:
        token_hash = mfa_token_hash(command.mfa_token)
        async with self.uow() as uow:
            challenge = await uow.mfa_challenges.get(token_hash)
        if challenge is None or not challenge.live(self.clock.now()):
            raise InvalidMfaToken()
        user = await self.users.get(challenge.user_id)
        if user is None or user.token_version != challenge.token_version:
            raise InvalidMfaToken()
        attempt = await self.lockout.attempt(user, user.username, command.client_ip)
        proof = await self.second_factors.verify(user, command.code, command.recovery_code)
        if proof is None:
            await self.failed_password(attempt, user, "sign_in", command, "wrong_code")
            raise InvalidCredentials(WRONG_CODE)
        await self.lockout.succeeded(attempt)
        if user.email_status == "rejected":
            raise Forbidden(SIGN_IN_BLOCKED)
        if user.disabled_at is not None:
            raise Forbidden(ACCOUNT_DISABLED)
        now = self.clock.now()
        secret, refresh = RefreshToken.start(
            user,
            now=now,
            ttl=self.refresh_ttl,
            family_lifetime=self.refresh_family_lifetime,
            amr=proof.amr,
        )
        async with self.uow() as uow:
            if await uow.mfa_challenges.use(token_hash, now) is None:
                raise InvalidMfaToken()
            if not await self.second_factors.spend(uow, user, proof):
                raise InvalidCredentials(WRONG_CODE)
            issued = await store_refresh_token(
                uow, refresh, secret, self.tokens, command, user.roles
            )
            if issued is None:  # the password changed, or the account went, since we looked
                raise InvalidMfaToken()
            await self.second_factors.announce(uow, user, proof, now)
            method = "recovery_code" if proof.method == "rcv" else "totp"
            signed_in = SecurityEvent.of("sign_in.succeeded", user.id, now, command, method=method)
            await uow.audit.add(signed_in)
            await uow.commit()
        return issued
