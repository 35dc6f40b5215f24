"""The caller's sessions: where and how each sign-in that still lasts was made."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.domain import Session
from core.ports import Clock, UnitOfWorkFactory
from core.sessions.bearer import bearer_user


@dataclass(frozen=True, slots=True)
class ListSessions:
    user_id: uuid.UUID
    token_version: int | None = None
    session_id: uuid.UUID | None = None
    """The caller's own session (the token's `sid`, or a page's cookie): it is `current`."""


@dataclass(frozen=True, slots=True)
class ListedSession:
    """A live session as its owner sees it."""

    id: uuid.UUID
    created_at: datetime
    last_used_at: datetime
    ip: str | None
    device: str | None
    amr: tuple[str, ...]
    provider: str | None
    current: bool
    """Whether this is the session the caller is using."""

    @classmethod
    def of(cls, session: Session, current: uuid.UUID | None) -> ListedSession:
        return cls(
            id=session.id,
            created_at=session.created_at,
            last_used_at=session.last_used_at,
            ip=session.ip,
            device=session.device,
            amr=session.amr,
            provider=session.provider,
            current=session.id == current,
        )


@dataclass(frozen=True, slots=True)
class ListSessionsHandler:
    """The caller's live sessions, the most recently used first: those not ended whose sign-in
    is younger than the family lifetime and that still hold a usable refresh token. A token of
    an ended session is refused (see bearer_user)."""

    uow: UnitOfWorkFactory
    clock: Clock
    refresh_family_lifetime: timedelta

    async def __call__(self, query: ListSessions) -> list[ListedSession]:
        now = self.clock.now()
        async with self.uow() as uow:
            user = await bearer_user(uow.users, query)
            live = await uow.sessions.live(user.id, now, now - self.refresh_family_lifetime)
        return [ListedSession.of(session, query.session_id) for session in live]
