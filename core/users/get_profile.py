from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import Unauthenticated, User
from core.ports import UserReader


@dataclass(frozen=True, slots=True)
class GetProfile:
    user_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class GetProfileHandler:
    """The caller's own profile. A token whose user is gone is no longer a credential."""

    users: UserReader

    async def __call__(self, query: GetProfile) -> User:
        user = await self.users.get(query.user_id)
        if user is None:
            raise Unauthenticated("The account of this token no longer exists.")
        return user
