"""Re-authentication for a sensitive change: the password, and the second factor if the account
has one, in the same request as the change."""

from __future__ import annotations

from dataclasses import dataclass

from core.audit.events import Client
from core.audit.failed_password import CheckedFor, RecordFailedPassword
from core.domain import Forbidden, InvalidInput, SecondFactorProof, User
from core.lockout import LoginLockout
from core.mfa.second_factors import WRONG_CODE, SecondFactors
from core.ports import PasswordHasher

CODE_REQUIRED = (
    "Two-step sign-in is on for this account: give a code from the authenticator app (or "
    "`recovery_code`, one of the recovery codes) with the password."
)


@dataclass(frozen=True, slots=True)
class Reauthentication:
    """Checks that whoever asks for a sensitive change (email, password, deleting the account,
    the second factor itself) holds the account's password and, when two-step sign-in is on,
    its second factor: an access token alone, however fresh, is never enough.

    A missing code is invalid input (422) and costs nothing. A wrong password or a wrong code is
    a failed sign-in of the account (lockout) and Forbidden. The proof returned is spent by the
    caller, in the transaction of the change (SecondFactors.spend)."""

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
        client: Client,
        checked_for: CheckedFor,
        wrong_password: str,
    ) -> SecondFactorProof | None:
        """None when the account has no second factor; raises InvalidInput, Forbidden (with
        `wrong_password` for a wrong password) or RateLimited."""
        asks_for_code = bool(await self.second_factors.methods(user.id))
        if asks_for_code and code is None and recovery_code is None:
            raise InvalidInput({"code": [CODE_REQUIRED]})
        attempt = await self.lockout.attempt(user, user.username, client.client_ip)
        if not await self.hasher.verify(user.password_hash, password):
            await self.failed_password(attempt, user, checked_for, client)
            raise Forbidden(wrong_password)
        proof = None
        if asks_for_code:
            proof = await self.second_factors.verify(user, code, recovery_code)
            if proof is None:
                await self.failed_password(attempt, user, checked_for, client, "wrong_code")
                raise Forbidden(WRONG_CODE)
        await self.lockout.succeeded(attempt)
        return proof
