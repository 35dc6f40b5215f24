"""The caller ends one of their sessions, or every one but the one in use."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from core.audit.events import Client, SecurityEvent
from core.domain import NotFound, Session
from core.ports import Clock, UnitOfWork, UnitOfWorkFactory
from core.public_events import session_ended
from core.sessions.bearer import bearer_user

NO_SUCH_SESSION = "You have no live session with this id."

EndedBy = Literal["self", "other_session"]
"""Who ended a session: the session itself (signing out, or ending the session in use), or
another session of the same user."""


async def end_session(
    uow: UnitOfWork, session: Session, now: datetime, client: Client | None, ended_by: EndedBy
) -> None:
    """Revoke the session's refresh tokens, which marks it ended (refusing its access tokens
    too), and say so (see announce_ended)."""
    await uow.refresh_tokens.revoke_family(session.id, now)
    await announce_ended(uow, session, now, client, ended_by)


async def announce_ended(
    uow: UnitOfWork, session: Session, now: datetime, client: Client | None, ended_by: EndedBy
) -> None:
    """Record the end of `session` in its owner's audit trail (session.ended, with who ended
    it and which session it was), and tell other services (session.ended, with its id)."""
    details = {"ended_by": ended_by, "session_signed_in_at": session.created_at.isoformat()}
    if session.device is not None:
        details["session_device"] = session.device
    await uow.audit.add(SecurityEvent.of("session.ended", session.user_id, now, client, **details))
    await uow.events.add_public(session_ended(session.user_id, session.id, now))


@dataclass(frozen=True, slots=True)
class EndSession:
    user_id: uuid.UUID
    ended: uuid.UUID
    """The session to end: one of the caller's, perhaps the one in use."""
    token_version: int | None = None
    session_id: uuid.UUID | None = None
    client_ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class EndSessionHandler:
    """End one of the caller's sessions: its refresh tokens are revoked and its access tokens
    refused from the next request. NotFound for a session that is another user's, unknown, or
    over already (the same answer, so ids of other users' sessions cannot be probed)."""

    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(self, command: EndSession) -> None:
        now = self.clock.now()
        async with self.uow() as uow:
            user = await bearer_user(uow.users, command)
            session = await uow.sessions.get(command.ended)
            if session is None or session.user_id != user.id or session.ended_at is not None:
                raise NotFound(NO_SUCH_SESSION)
            ended_by: EndedBy = "self" if session.id == command.session_id else "other_session"
            await end_session(uow, session, now, command, ended_by)
            await uow.commit()


@dataclass(frozen=True, slots=True)
class EndOtherSessions:
    user_id: uuid.UUID
    token_version: int | None = None
    session_id: uuid.UUID | None = None
    """The session in use, which goes on; None (a token from before sessions) ends them all."""
    client_ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class EndOtherSessionsHandler:
    """Sign out everywhere else: end every live session of the caller but the one in use."""

    uow: UnitOfWorkFactory
    clock: Clock
    refresh_family_lifetime: timedelta

    async def __call__(self, command: EndOtherSessions) -> int:
        """Returns how many sessions were ended."""
        now = self.clock.now()
        async with self.uow() as uow:
            user = await bearer_user(uow.users, command)
            live = await uow.sessions.live(user.id, now, now - self.refresh_family_lifetime)
            others = [s for s in live if s.id != command.session_id]
            for session in others:
                await end_session(uow, session, now, command, "other_session")
            await uow.commit()
        return len(others)
