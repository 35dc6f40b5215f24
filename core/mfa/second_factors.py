"""What every operation that asks for a second factor shares: which factors an account has,
checking a code against them, and spending it in the transaction of what it allows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from core.audit.events import SecurityEvent
from core.domain import (
    SecondFactorMethod,
    SecondFactorProof,
    User,
    matching_step,
    recovery_code_hash,
)
from core.events import UserEvent
from core.ports import Clock, TotpSecretBox, UnitOfWork, UnitOfWorkFactory

WRONG_CODE = "The code is wrong, or was used already."


@dataclass(frozen=True, slots=True)
class SecondFactors:
    """An account's second factors: a confirmed TOTP credential, and the recovery codes that
    stand in for it. A code is checked in two steps: `verify` (before the change, so that a
    wrong one costs no transaction) and `spend` (in the transaction of the change, atomically,
    so that a code is accepted once however many requests race with it)."""

    uow: UnitOfWorkFactory
    totp_secrets: TotpSecretBox
    clock: Clock

    async def methods(self, user_id: uuid.UUID) -> tuple[SecondFactorMethod, ...]:
        """The factors a sign-in of the account asks for (one of them); () for none."""
        async with self.uow() as uow:
            credential = await uow.second_factors.get_totp(user_id)
            if credential is None or not credential.enabled:
                return ()
            if await uow.second_factors.recovery_codes_left(user_id):
                return ("totp", "recovery_code")
        return ("totp",)

    async def verify(
        self, user: User, code: str | None, recovery_code: str | None
    ) -> SecondFactorProof | None:
        """The proof that `code` (TOTP) or `recovery_code` is one of the user's, not spent yet;
        None when it is not (wrong, replayed, or the account has no second factor)."""
        async with self.uow() as uow:
            credential = await uow.second_factors.get_totp(user.id)
            if credential is None or not credential.enabled:
                return None
            if code is not None:
                secret = self.totp_secrets.open(user.id, credential.sealed_secret)
                if secret is None:
                    return None
                step = matching_step(secret, code, self.clock.now(), after=credential.last_step)
                return None if step is None else SecondFactorProof("otp", step=step)
            if recovery_code is not None:
                code_hash = recovery_code_hash(user.id, recovery_code)
                if await uow.second_factors.has_recovery_code(user.id, code_hash):
                    return SecondFactorProof("rcv", code_hash=code_hash)
        return None

    @staticmethod
    async def spend(uow: UnitOfWork, user: User, proof: SecondFactorProof) -> bool:
        """Use the proven factor up, in `uow`'s transaction; False when a concurrent request
        (or one since `verify`) used it first."""
        if proof.step is not None:
            return await uow.second_factors.accept_totp_step(user.id, proof.step)
        assert proof.code_hash is not None
        return await uow.second_factors.use_recovery_code(user.id, proof.code_hash)

    @staticmethod
    async def announce(
        uow: UnitOfWork, user: User, proof: SecondFactorProof, now: datetime
    ) -> None:
        """The user hears of every recovery code used (one used without them means their
        password is known too), with the number left."""
        if proof.method != "rcv":
            return
        left = await uow.second_factors.recovery_codes_left(user.id)
        await uow.events.add(UserEvent.second_factor("user.recovery_code_used", user, now, left))
        await uow.audit.add(SecurityEvent.of("recovery_code.used", user.id, now, None, left=left))
