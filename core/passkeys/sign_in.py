"""Sign-in with a passkey alone: the browser's answer to a discoverable sign-in's challenge."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.audit.events import SecurityEvent
from core.audit.failed_password import RecordFailedPassword
from core.domain import (
    ACCOUNT_DISABLED,
    PASSKEY_ONLY,
    Forbidden,
    InvalidCredentials,
    InvalidPasskey,
    RefreshToken,
    User,
)
from core.lockout import LoginLockout
from core.mfa.second_factors import PASSKEY_REFUSED
from core.passkeys.verify_assertion import VerifyAssertion
from core.ports import Clock, CredentialJson, TokenIssuer, UnitOfWorkFactory, WebAuthn
from core.tokens.issued import SIGN_IN_BLOCKED, IssuedTokens, store_refresh_token


@dataclass(frozen=True, slots=True)
class SignInWithPasskey:
    challenge_id: uuid.UUID
    """Of the ceremony BeginPasskeySignInHandler began."""
    credential: CredentialJson
    """What `navigator.credentials.get()` gave, as JSON."""
    client_ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class SignInWithPasskeyHandler:
    """Exchange a passkey's signature for an access token and a refresh token (a new token
    family, a session like any other), whose access tokens say `amr` ["hwk"]. The passkey is
    the whole sign-in: its authenticator verified the user (a PIN, a fingerprint) and holds a
    key nobody can guess, so no password is asked for.

    Any fault of the answer (see VerifyAssertion: a challenge unknown, used or expired, a
    forged or cloned passkey, one not registered) is InvalidCredentials, and changes nothing.
    When the answer names a registered passkey, its failure is a failed sign-in of the
    passkey's account, counted by the lockout as a wrong password is, and a locked account's
    lock holds here too; a passkey that signs makes the client's network familiar."""

    uow: UnitOfWorkFactory
    webauthn: WebAuthn
    verify: VerifyAssertion
    tokens: TokenIssuer
    lockout: LoginLockout
    clock: Clock
    refresh_ttl: timedelta
    refresh_family_lifetime: timedelta
    failed_password: RecordFailedPassword

    async def __call__(self, command: SignInWithPasskey) -> IssuedTokens:
        owner = await self._owner(command)
        if owner is None:
            raise InvalidCredentials(PASSKEY_REFUSED)
        attempt = await self.lockout.attempt(owner, owner.username, command.client_ip)
        try:
            issued = await self._sign_in(command, self.clock.now())
        except InvalidPasskey:
            await self.failed_password(attempt, owner, "sign_in", command, "wrong_passkey")
            raise InvalidCredentials(PASSKEY_REFUSED) from None
        await self.lockout.succeeded(attempt)
        return issued

    async def _owner(self, command: SignInWithPasskey) -> User | None:
        """Whose passkey the answer names, read before it is verified (its lockout applies)."""
        try:
            credential_id = self.webauthn.assertion_credential_id(command.credential)
        except InvalidPasskey:
            return None
        async with self.uow() as uow:
            passkey = await uow.passkeys.get_by_credential_for_update(credential_id)
            return None if passkey is None else await uow.users.get(passkey.user_id)

    async def _sign_in(self, command: SignInWithPasskey, now: datetime) -> IssuedTokens:
        """The tokens of the new session; Forbidden for an account whose sign-in is blocked
        or that an administrator disabled (its answer is used up all the same)."""
        async with self.uow() as uow:
            passkey = await self.verify(uow, "sign_in", command.challenge_id, command.credential)
            user = await uow.users.get(passkey.user_id)
            if user is None:
                raise InvalidPasskey()
            if user.email_status == "rejected" or user.disabled_at is not None:
                await uow.commit()
                blocked = user.disabled_at is None
                raise Forbidden(SIGN_IN_BLOCKED if blocked else ACCOUNT_DISABLED)
            secret, refresh = RefreshToken.start(
                user,
                now=now,
                ttl=self.refresh_ttl,
                family_lifetime=self.refresh_family_lifetime,
                amr=PASSKEY_ONLY,
            )
            issued = await store_refresh_token(
                uow, refresh, secret, self.tokens, command, user.roles
            )
            if issued is None:  # the password changed, or the account went, meanwhile
                raise InvalidCredentials(PASSKEY_REFUSED)
            signed_in = SecurityEvent.of(
                "sign_in.succeeded", user.id, now, command, method="passkey"
            )
            await uow.audit.add(signed_in)
            await uow.commit()
        return issued
