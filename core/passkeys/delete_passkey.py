"""The caller removes one of their passkeys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import NotFound
from core.ports import UnitOfWorkFactory
from core.sessions.bearer import bearer_user


@dataclass(frozen=True, slots=True)
class DeletePasskey:
    user_id: uuid.UUID
    passkey_id: uuid.UUID
    token_version: int | None = None
    session_id: uuid.UUID | None = None
    """The `sid` of the caller's access token: refused once that session has ended."""


@dataclass(frozen=True, slots=True)
class DeletePasskeyHandler:
    """Remove one of the caller's passkeys: it signs nobody in any more. NotFound when the
    caller has no passkey of that id (another user's included)."""

    uow: UnitOfWorkFactory

    async def __call__(self, command: DeletePasskey) -> None:
        async with self.uow() as uow:
            user = await bearer_user(uow.users, command)
            if not await uow.passkeys.delete(command.passkey_id, user.id):
                raise NotFound("There is no such passkey.")
            await uow.commit()
