"""The second step of a sign-in: the mfa_token of the password step and a code, a recovery
code or a passkey's signature."""

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
)
from core.lockout import LoginLockout
from core.mfa.mfa_token import signing_in_user
from core.mfa.second_factors import PASSKEY_REFUSED, WRONG_CODE, SecondFactors
from core.passkeys.ceremony import PasskeyAnswer
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
    passkey: PasskeyAnswer | None = None
    """Or else a passkey's answer to POST /api/v1/token/mfa/passkey-options."""


@dataclass(frozen=True, slots=True)
class CompleteSignInHandler:
    """Finish a sign-in that IssueAccessTokenHandler or SignInWithIdentityHandler began (it
    answered SecondFactorRequired with an mfa_token): the same tokens as a sign-in without a
    second factor, whose access tokens say how the user signed in (`amr`: pwd, or ext after a
    provider, then otp, rcv, or hwk for a passkey).

    The mfa_token works for a few minutes, once, and only while the account's token version is
    the one it was issued at; otherwise InvalidMfaToken. A wrong code or passkey is
    InvalidCredentials and a failed sign-in of the account (lockout); a TOTP code is accepted
    once, a recovery code is used up (the user is mailed how many are left), and a passkey's
    answer works once, for the challenge begun with this mfa_token's user."""

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
        challenge, user = await signing_in_user(
            self.uow, self.users, command.mfa_token, self.clock.now()
        )
        attempt = await self.lockout.attempt(user, user.username, command.client_ip)
        proof = await self.second_factors.verify(
            user, command.code, command.recovery_code, command.passkey, purpose="second_step"
        )
        if proof is None:
            if command.passkey is not None:
                await self.failed_password(attempt, user, "sign_in", command, "wrong_passkey")
                raise InvalidCredentials(PASSKEY_REFUSED)
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
            amr=challenge.amr(proof),
            provider=challenge.provider,
        )
        async with self.uow() as uow:
            if await uow.mfa_challenges.use(challenge.token_hash, now) is None:
                raise InvalidMfaToken()
            if not await self.second_factors.spend(uow, user, proof):
                raise InvalidCredentials(WRONG_CODE)
            issued = await store_refresh_token(
                uow, refresh, secret, self.tokens, command, user.roles
            )
            if issued is None:  # the password changed, or the account went, since we looked
                raise InvalidMfaToken()
            await self.second_factors.announce(uow, user, proof, now)
            signed_in = SecurityEvent.of(
                "sign_in.succeeded", user.id, now, command, method=proof.factor
            )
            await uow.audit.add(signed_in)
            await uow.commit()
        return issued
