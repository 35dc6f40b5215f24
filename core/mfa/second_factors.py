"""What every operation that asks for a second factor shares: which factors an account has,
checking one against them, and spending it in the transaction of what it allows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from core.audit.events import SecurityEvent
from core.domain import (
    AssertionPurpose,
    Forbidden,
    InvalidPasskey,
    SecondFactorMethod,
    SecondFactorProof,
    User,
    matching_step,
    recovery_code_hash,
)
from core.events import UserEvent
from core.passkeys.ceremony import PasskeyAnswer
from core.passkeys.verify_assertion import VerifyAssertion
from core.ports import Clock, TotpSecretBox, UnitOfWork, UnitOfWorkFactory

WRONG_CODE = "The code is wrong, or was used already."
PASSKEY_REFUSED = (
    "The passkey could not be verified: its answer was malformed, answered another or an "
    "expired challenge, or came from a passkey that is not this account's. Try again."
)


@dataclass(frozen=True, slots=True)
class SecondFactors:
    """An account's second factors: a confirmed TOTP credential and the recovery codes that
    stand in for it, and its passkeys. A factor is checked in two steps: `verify` (before the
    change, so that a wrong one costs no transaction) and `spend` (in the transaction of the
    change, atomically, so that a code is accepted once however many requests race with it).
    A passkey's answer is used up as it is verified: its challenge works once."""

    uow: UnitOfWorkFactory
    totp_secrets: TotpSecretBox
    clock: Clock
    verify_assertion: VerifyAssertion

    async def methods(self, user_id: uuid.UUID) -> tuple[SecondFactorMethod, ...]:
        """The factors a sign-in of the account asks for (one of them); () for none."""
        async with self.uow() as uow:
            return await self.methods_in(uow, user_id)

    @staticmethod
    async def methods_in(uow: UnitOfWork, user_id: uuid.UUID) -> tuple[SecondFactorMethod, ...]:
        """As `methods`, read in the transaction of `uow`."""
        methods: list[SecondFactorMethod] = []
        credential = await uow.second_factors.get_totp(user_id)
        if credential is not None and credential.enabled:
            methods.append("totp")
            if await uow.second_factors.recovery_codes_left(user_id):
                methods.append("recovery_code")
        if await uow.passkeys.list_for_user(user_id):
            methods.append("passkey")
        return tuple(methods)

    async def verify(
        self,
        user: User,
        code: str | None,
        recovery_code: str | None,
        passkey: PasskeyAnswer | None = None,
        *,
        purpose: AssertionPurpose = "step_up",
    ) -> SecondFactorProof | None:
        """The proof that `code` (TOTP) or `recovery_code` is one of the user's, not spent yet,
        or that `passkey` answers a live challenge for `purpose` with one of the user's
        passkeys; None when it is not (wrong, replayed, cloned, or not a factor the account
        has). A passkey's answer is used up (with its passkey's counter) here, in a
        transaction of its own; a wrong one changes nothing."""
        if passkey is not None:
            return await self._verify_passkey(user, passkey, purpose)
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

    async def _verify_passkey(
        self, user: User, answer: PasskeyAnswer, purpose: AssertionPurpose
    ) -> SecondFactorProof | None:
        try:
            async with self.uow() as uow:
                await self.verify_assertion(
                    uow, purpose, answer.challenge_id, answer.credential, user.id
                )
                await uow.commit()
        except InvalidPasskey:  # a clone among them: Passkey.used has logged it
            return None
        return SecondFactorProof("hwk")

    @staticmethod
    async def spend(uow: UnitOfWork, user: User, proof: SecondFactorProof) -> bool:
        """Use the proven factor up, in `uow`'s transaction; False when a concurrent request
        (or one since `verify`) used it first."""
        if proof.method == "hwk":
            return True  # its challenge was used up by `verify`
        if proof.step is not None:
            return await uow.second_factors.accept_totp_step(user.id, proof.step)
        assert proof.code_hash is not None
        return await uow.second_factors.use_recovery_code(user.id, proof.code_hash)

    @staticmethod
    async def spend_or_refuse(uow: UnitOfWork, user: User, proof: SecondFactorProof) -> None:
        """`spend`, Forbidden (WRONG_CODE) when the factor was used first by another request."""
        if not await SecondFactors.spend(uow, user, proof):
            raise Forbidden(WRONG_CODE)

    @classmethod
    async def use(
        cls, uow: UnitOfWork, user: User, proof: SecondFactorProof | None, now: datetime
    ) -> None:
        """The second factor a sensitive change was confirmed with (none for an account
        without one), spent and announced in the change's transaction."""
        if proof is None:
            return
        await cls.spend_or_refuse(uow, user, proof)
        await cls.announce(uow, user, proof, now)

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
