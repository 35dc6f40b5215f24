"""The caller reads their own profile."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.domain import User
from core.ports import UserReader
from core.sessions.bearer import bearer_user


@dataclass(frozen=True, slots=True)
class GetProfile:
    user_id: uuid.UUID
    token_version: int | None = None
    """The `ver` of the caller's access token (the API always sends it); None checks none."""
    session_id: uuid.UUID | None = None
    """The `sid` of the caller's access token: refused once that session has ended."""


@dataclass(frozen=True, slots=True)
class GetProfileHandler:
    """The caller's own profile. A token whose user is gone is no longer a credential, and
    neither is one issued before the user's last password change, nor one whose session has
    ended.

    Why the token version and the session are checked here and not in the authentication
    middleware (nor through a cache in Redis): every operation that takes an access token loads
    the user's row anyway, the row carries `token_version`, and the session joins it by its
    primary key in the same query. Comparing them with the token's `ver` and `sid` costs next to
    nothing, is never stale, and adds no round trip to this, the hottest path of the API; a
    cache would add a Redis round trip (or a window of staleness) to save nothing.
    """

    users: UserReader

    async def __call__(self, query: GetProfile) -> User:
        return await bearer_user(self.users, query)
