"""The caller starts confirming themselves with a passkey, for a sensitive change."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import StateConflict
from core.passkeys.begin_assertion import BeginAssertion
from core.passkeys.ceremony import Ceremony
from core.ports import UnitOfWorkFactory
from core.sessions.bearer import bearer_user

NO_PASSKEY = "This account has no passkey."


@dataclass(frozen=True, slots=True)
class BeginPasskeyStepUp:
    user_id: uuid.UUID
    token_version: int | None = None
    session_id: uuid.UUID | None = None
    """The `sid` of the caller's access token: refused once that session has ended."""


@dataclass(frozen=True, slots=True)
class BeginPasskeyStepUpHandler:
    """A step-up challenge for the caller and the options for `navigator.credentials.get()`,
    allowing the caller's passkeys only. The answer goes, as `passkey`, with the password in
    the request of a sensitive change (see Reauthentication), once and within CHALLENGE_TTL.
    An account without passkeys is a StateConflict."""

    uow: UnitOfWorkFactory
    begin: BeginAssertion

    async def __call__(self, command: BeginPasskeyStepUp) -> Ceremony:
        async with self.uow() as uow:
            user = await bearer_user(uow.users, command)
            if not await uow.passkeys.list_for_user(user.id):
                raise StateConflict(NO_PASSKEY)
            ceremony = await self.begin(uow, "step_up", user.id)
            await uow.commit()
        return ceremony
