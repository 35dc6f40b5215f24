"""Who an access token speaks for, checked in the query that loads the user anyway."""

from __future__ import annotations

import uuid
from typing import Protocol

from core.domain import SESSION_ENDED, Unauthenticated, User, token_holder


class Bearer(Protocol):
    """What a command of an access token's bearer carries: its claims `sub`, `ver` and `sid`."""

    @property
    def user_id(self) -> uuid.UUID: ...

    @property
    def token_version(self) -> int | None:
        """The token's `ver` (the API always sends it); None checks none."""
        ...

    @property
    def session_id(self) -> uuid.UUID | None:
        """The token's `sid`; None for a token signed before sessions existed (valid until it
        expires) or a caller that is no token (a page reads its session by the cookie)."""
        ...


class UserLookup(Protocol):
    """The read side (UserReader) or the repository in a unit of work (UserRepository)."""

    async def get(self, user_id: uuid.UUID) -> User | None: ...

    async def get_with_session(
        self, user_id: uuid.UUID, session_id: uuid.UUID
    ) -> tuple[User | None, bool]: ...


async def bearer_user(users: UserLookup, bearer: Bearer) -> User:
    """The user an access token speaks for; Unauthenticated when the account is gone, the token
    predates the user's last password change, or its session has ended (signed out, or ended
    from another session): ending a session refuses its access tokens at once, not when they
    expire.

    Every authenticated operation loads its user anyway, so the session is read in that same
    query (a join on the session's primary key): no round trip is added, and nothing is cached
    that could be stale."""
    if bearer.session_id is None:
        return token_holder(await users.get(bearer.user_id), bearer.token_version)
    user, live = await users.get_with_session(bearer.user_id, bearer.session_id)
    if user is not None and not live:
        raise Unauthenticated(SESSION_ENDED)
    return token_holder(user, bearer.token_version)
