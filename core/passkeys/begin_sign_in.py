"""Someone starts signing in with a passkey alone (no username, no password)."""

from __future__ import annotations

from dataclasses import dataclass

from core.passkeys.begin_assertion import BeginAssertion
from core.passkeys.ceremony import Ceremony
from core.ports import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class BeginPasskeySignIn:
    """Nothing to say yet: the passkey that answers will say whose it is."""


@dataclass(frozen=True, slots=True)
class BeginPasskeySignInHandler:
    """A challenge for a discoverable sign-in (stored, single-use, for CHALLENGE_TTL) and the
    options for `navigator.credentials.get()`, which allow any passkey of this relying party
    and require user verification: the browser offers the passkeys it holds for the site."""

    uow: UnitOfWorkFactory
    begin: BeginAssertion

    async def __call__(self, command: BeginPasskeySignIn) -> Ceremony:
        async with self.uow() as uow:
            ceremony = await self.begin(uow, "sign_in")
            await uow.commit()
        return ceremony
