"""Port of the sessions table: each sign-in as its owner lists and ends it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from core.domain import PriorSignIns, RefreshToken, Session


class SessionRepository(Protocol):
    """Users' sessions, inside the unit of work, by the id of their refresh-token family.

    A session ends with its family: RefreshTokenRepository.revoke_family and revoke_all mark it
    ended in the same statement that revokes the tokens, so nothing revokes a family and leaves
    its session (and with it the family's access tokens) live."""

    async def add(self, session: Session) -> None: ...

    async def get(self, session_id: uuid.UUID) -> Session | None:
        """The session, ended or not, whoever it belongs to."""
        ...

    async def live(
        self, user_id: uuid.UUID, now: datetime, signed_in_after: datetime
    ) -> list[Session]:
        """The user's sessions that have not ended, began after `signed_in_after` (the family
        lifetime) and still hold a refresh token that is neither revoked nor expired at `now`;
        the most recently used first."""
        ...

    async def record_use(self, token: RefreshToken, now: datetime) -> bool:
        """Set the last use of the session of `token`'s family to `now`, only if the stored
        time is LAST_USED_RESOLUTION old or more (so most uses write nothing); a family that
        began before sessions were stored gets its session here. True when a row was written."""
        ...

    async def prior_sign_ins(
        self, user_id: uuid.UUID, device: str | None, network: str | None, since: datetime
    ) -> PriorSignIns:
        """What the user's stored sessions say of a sign-in from `device` on `network`: whether
        there are any, and whether one used since `since` had both (in one query)."""
        ...
