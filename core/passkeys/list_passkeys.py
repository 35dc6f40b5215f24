"""The caller lists their passkeys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import Passkey, token_holder
from core.ports import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class ListPasskeys:
    user_id: uuid.UUID
    token_version: int | None = None


@dataclass(frozen=True, slots=True)
class ListPasskeysHandler:
    """The caller's passkeys, oldest first."""

    uow: UnitOfWorkFactory

    async def __call__(self, query: ListPasskeys) -> list[Passkey]:
        async with self.uow() as uow:
            user = token_holder(await uow.users.get(query.user_id), query.token_version)
            return await uow.passkeys.list_for_user(user.id)
