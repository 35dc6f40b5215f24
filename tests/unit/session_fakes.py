"""In-memory fake of the sessions port, for unit tests of the handlers."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from core.domain import LAST_USED_RESOLUTION, PriorSignIns, RefreshToken, Session


class InMemorySessions:
    """Sessions by id; `live` looks at the refresh tokens of the same unit of work, as the real
    query does."""

    def __init__(
        self, rows: dict[uuid.UUID, Session], tokens: dict[uuid.UUID, RefreshToken]
    ) -> None:
        self.rows = rows
        self._tokens = tokens

    async def add(self, session: Session) -> None:
        self.rows[session.id] = session

    async def get(self, session_id: uuid.UUID) -> Session | None:
        return self.rows.get(session_id)

    async def live(
        self, user_id: uuid.UUID, now: datetime, signed_in_after: datetime
    ) -> list[Session]:
        usable = {
            t.family_id
            for t in self._tokens.values()
            if t.revoked_at is None and t.expires_at > now
        }
        live = [
            s
            for s in self.rows.values()
            if s.user_id == user_id
            and s.ended_at is None
            and s.created_at > signed_in_after
            and s.id in usable
        ]
        return sorted(live, key=lambda s: (s.last_used_at, s.id.int * -1), reverse=True)

    async def record_use(self, token: RefreshToken, now: datetime) -> bool:
        session = self.rows.get(token.family_id)
        if session is None or session.last_used_at > now - LAST_USED_RESOLUTION:
            return False
        self.rows[session.id] = replace(session, last_used_at=now)
        return True

    async def prior_sign_ins(
        self, user_id: uuid.UUID, device: str | None, network: str | None, since: datetime
    ) -> PriorSignIns:
        mine = [s for s in self.rows.values() if s.user_id == user_id]
        seen = any(
            s.last_used_at >= since and s.device == device and s.network == network for s in mine
        )
        return PriorSignIns(any=bool(mine), from_this_device=seen)

    def end(self, token: RefreshToken, now: datetime) -> None:
        """What revoking `token`'s family does to its session (see SqlRefreshTokens)."""
        session = self.rows.get(token.family_id)
        if session is None:
            session = Session.begin(token, ip=None, network=None, device=None)
        if session.ended_at is None:
            self.rows[session.id] = replace(session, ended_at=now)

    def end_all(self, user_id: uuid.UUID, now: datetime) -> list[uuid.UUID]:
        ended = [s for s in self.rows.values() if s.user_id == user_id and s.ended_at is None]
        for session in ended:
            self.rows[session.id] = replace(session, ended_at=now)
        return [s.id for s in ended]
