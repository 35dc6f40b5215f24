"""The second step of a sign-in, with a passkey: its challenge."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain import StateConflict
from core.mfa.mfa_token import signing_in_user
from core.passkeys.begin_assertion import BeginAssertion
from core.passkeys.begin_step_up import NO_PASSKEY
from core.passkeys.ceremony import Ceremony
from core.ports import Clock, UnitOfWorkFactory, UserReader


@dataclass(frozen=True, slots=True)
class BeginPasskeySecondStep:
    mfa_token: str
    """From the password step (the 403 mfa-required answer)."""


@dataclass(frozen=True, slots=True)
class BeginPasskeySecondStepHandler:
    """A challenge for the second step of the sign-in the mfa_token continues, and the options
    for `navigator.credentials.get()`, allowing that account's passkeys only. The mfa_token
    is not used up: it goes with the answer to CompleteSignInHandler. InvalidMfaToken as
    there; an account without passkeys is a StateConflict."""

    uow: UnitOfWorkFactory
    users: UserReader
    begin: BeginAssertion
    clock: Clock

    async def __call__(self, command: BeginPasskeySecondStep) -> Ceremony:
        _, user = await signing_in_user(self.uow, self.users, command.mfa_token, self.clock.now())
        async with self.uow() as uow:
            if not await uow.passkeys.list_for_user(user.id):
                raise StateConflict(NO_PASSKEY)
            ceremony = await self.begin(uow, "second_step", user.id)
            await uow.commit()
        return ceremony
