"""The caller reads their own profile."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import User, token_holder
from core.ports import UserReader


@dataclass(frozen=True, slots=True)
class GetProfile:
    user_id: uuid.UUID
    token_version: int | None = None
    """The `ver` of the caller's access token (the API always sends it); None checks none."""


@dataclass(frozen=True, slots=True)
class GetProfileHandler:
    """The caller's own profile. A token whose user is gone is no longer a credential, and
    neither is one issued before the user's last password change.

    Why the token version is checked here and not in the authentication middleware (nor
    through a cache of versions in Redis): every operation that takes an access token loads
    the user's row anyway, and the row carries `token_version`. Comparing it with the token's
    `ver` costs nothing, is never stale, and adds no round trip to this, the hottest path of the
    API; a cache would add a Redis round trip (or a window of staleness) to save nothing.
    """

    users: UserReader

    async def __call__(self, query: GetProfile) -> User:
        return token_holder(await self.users.get(query.user_id), query.token_version)
