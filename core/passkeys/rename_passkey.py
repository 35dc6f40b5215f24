"""The caller renames one of their passkeys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import NotFound, Passkey, check_passkey_name
from core.passkeys.delete_passkey import NO_SUCH_PASSKEY
from core.ports import UnitOfWorkFactory
from core.sessions.bearer import bearer_user


@dataclass(frozen=True, slots=True)
class RenamePasskey:
    user_id: uuid.UUID
    passkey_id: uuid.UUID
    name: str
    token_version: int | None = None
    session_id: uuid.UUID | None = None
    """The `sid` of the caller's access token: refused once that session has ended."""


@dataclass(frozen=True, slots=True)
class RenamePasskeyHandler:
    """Give one of the caller's passkeys another name, and return it so named; NotFound when
    the caller has no passkey of that id (another user's included)."""

    uow: UnitOfWorkFactory

    async def __call__(self, command: RenamePasskey) -> Passkey:
        name = check_passkey_name(command.name)
        async with self.uow() as uow:
            user = await bearer_user(uow.users, command)
            if not await uow.passkeys.rename(command.passkey_id, user.id, name):
                raise NotFound(NO_SUCH_PASSKEY)
            renamed = next(
                p for p in await uow.passkeys.list_for_user(user.id) if p.id == command.passkey_id
            )
            await uow.commit()
        return renamed
