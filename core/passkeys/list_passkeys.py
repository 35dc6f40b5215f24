"""The caller lists their passkeys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import Passkey
from core.ports import UnitOfWorkFactory
from core.sessions.bearer import bearer_user


@dataclass(frozen=True, slots=True)
class ListPasskeys:
    user_id: uuid.UUID
    token_version: int | None = None
    session_id: uuid.UUID | None = None
    """The `sid` of the caller's access token: refused once that session has ended."""


@dataclass(frozen=True, slots=True)
class ListPasskeysHandler:
    """The caller's passkeys, oldest first."""

    uow: UnitOfWorkFactory

    async def __call__(self, query: ListPasskeys) -> list[Passkey]:
        async with self.uow() as uow:
            user = await bearer_user(uow.users, query)
            return await uow.passkeys.list_for_user(user.id)
