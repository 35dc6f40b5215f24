"""The caller renames one of their passkeys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import NotFound, Passkey, check_passkey_name, token_holder
from core.passkeys.delete_passkey import NO_SUCH_PASSKEY
from core.ports import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class RenamePasskey:
    user_id: uuid.UUID
    passkey_id: uuid.UUID
    name: str
    token_version: int | None = None


@dataclass(frozen=True, slots=True)
class RenamePasskeyHandler:
    """Give one of the caller's passkeys another name, and return it so named; NotFound when
    the caller has no passkey of that id (another user's included)."""

    uow: UnitOfWorkFactory

    async def __call__(self, command: RenamePasskey) -> Passkey:
        name = check_passkey_name(command.name)
        async with self.uow() as uow:
            user = token_holder(await uow.users.get(command.user_id), command.token_version)
            if not await uow.passkeys.rename(command.passkey_id, user.id, name):
                raise NotFound(NO_SUCH_PASSKEY)
            renamed = next(
                p for p in await uow.passkeys.list_for_user(user.id) if p.id == command.passkey_id
            )
            await uow.commit()
        return renamed
