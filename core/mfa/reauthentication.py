"""Re-authentication for a sensitive change: the password, and the second factor if the account
has one, in the same request as the change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core.audit.events import Client
from core.audit.failed_password import CheckedFor, RecordFailedPassword
from core.domain import Forbidden, InvalidInput, SecondFactorMethod, SecondFactorProof, User
from core.lockout import LoginLockout
from core.mfa.second_factors import PASSKEY_REFUSED, WRONG_CODE, SecondFactors
from core.passkeys.ceremony import PasskeyAnswer
from core.ports import PasswordHasher

CODE_REQUIRED = (
    "Two-step sign-in is on for this account: give a code from the authenticator app (or "
    "`recovery_code`, one of the recovery codes) with the password."
)
CODE_OR_PASSKEY_REQUIRED = (
    "Two-step sign-in is on for this account: give a code from the authenticator app (or "
    "`recovery_code`, one of the recovery codes), or `passkey`, a passkey's answer to POST "
    "/api/v1/mfa/passkeys/step-up-options, with the password."
)
PASSKEY_REQUIRED = (
    "Two-step sign-in is on for this account with a passkey: give `passkey`, a passkey's "
    "answer to POST /api/v1/mfa/passkeys/step-up-options, with the password."
)
NO_PASSKEY = "This account has no passkey: give a code from the authenticator app instead."
WRONG_CURRENT_PASSWORD = "The current password is wrong."


class ReauthenticatingRequest(Client, Protocol):
    """A command that carries the password and (when the account has one) a second factor."""

    @property
    def current_password(self) -> str: ...

    @property
    def code(self) -> str | None: ...

    @property
    def recovery_code(self) -> str | None: ...

    @property
    def passkey(self) -> PasskeyAnswer | None: ...


@dataclass(frozen=True, slots=True)
class Reauthentication:
    """Checks that whoever asks for a sensitive change (email, password, deleting the account,
    the second factors themselves) holds the account's password and, when two-step sign-in is
    on, one of its second factors: a code, a recovery code, or a passkey's fresh answer to a
    step-up challenge. An access token alone, however fresh, is never enough.

    A missing second factor, or one the account does not have, is invalid input (422) and
    costs nothing. A wrong password or a wrong second factor is a failed sign-in of the
    account (lockout) and Forbidden. The proof returned is spent by the caller, in the
    transaction of the change (SecondFactors.spend)."""

    hasher: PasswordHasher
    lockout: LoginLockout
    second_factors: SecondFactors
    failed_password: RecordFailedPassword

    async def check(
        self,
        user: User,
        password: str,
        *,
        code: str | None,
        recovery_code: str | None,
        passkey: PasskeyAnswer | None = None,
        client: Client,
        checked_for: CheckedFor,
        wrong_password: str,
    ) -> SecondFactorProof | None:
        """None when the account has no second factor; raises InvalidInput, Forbidden (with
        `wrong_password` for a wrong password) or RateLimited."""
        methods = await self.second_factors.methods(user.id)
        if methods:
            _require_a_factor_of(methods, code, recovery_code, passkey)
        attempt = await self.lockout.attempt(user, user.username, client.client_ip)
        if not await self.hasher.verify(user.password_hash, password):
            await self.failed_password(attempt, user, checked_for, client)
            raise Forbidden(wrong_password)
        proof = None
        if methods:
            proof = await self.second_factors.verify(user, code, recovery_code, passkey)
            if proof is None:
                if passkey is not None:
                    await self.failed_password(attempt, user, checked_for, client, "wrong_passkey")
                    raise Forbidden(PASSKEY_REFUSED)
                await self.failed_password(attempt, user, checked_for, client, "wrong_code")
                raise Forbidden(WRONG_CODE)
        await self.lockout.succeeded(attempt)
        return proof

    async def second_factor_change(
        self, user: User, request: ReauthenticatingRequest
    ) -> SecondFactorProof | None:
        """`check`, with the request's own fields, for a change of the second factors."""
        return await self.check(
            user,
            request.current_password,
            code=request.code,
            recovery_code=request.recovery_code,
            passkey=request.passkey,
            client=request,
            checked_for="second_factor_change",
            wrong_password=WRONG_CURRENT_PASSWORD,
        )


def _require_a_factor_of(
    methods: tuple[SecondFactorMethod, ...],
    code: str | None,
    recovery_code: str | None,
    passkey: PasskeyAnswer | None,
) -> None:
    """InvalidInput unless one of the factors given is one the account has."""
    has_totp, has_passkey = "totp" in methods, "passkey" in methods
    if passkey is not None and not has_passkey:
        raise InvalidInput({"passkey": [NO_PASSKEY]})
    if (code is not None or recovery_code is not None) and not has_totp:
        raise InvalidInput({"passkey": [PASSKEY_REQUIRED]})
    if code is None and recovery_code is None and passkey is None:
        if not has_totp:
            raise InvalidInput({"passkey": [PASSKEY_REQUIRED]})
        raise InvalidInput({"code": [CODE_OR_PASSKEY_REQUIRED if has_passkey else CODE_REQUIRED]})
