"""The caller reads their own audit trail, a page at a time."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import datetime

from core.audit.events import SecurityEvent
from core.domain import InvalidInput
from core.ports import UnitOfWorkFactory
from core.sessions.bearer import bearer_user

DEFAULT_PAGE = 20
MAX_PAGE = 100
BAD_CURSOR = "Not a cursor this service gave out; start again without one."


@dataclass(frozen=True, slots=True)
class ListSecurityEvents:
    user_id: uuid.UUID
    token_version: int | None = None
    """The `ver` of the caller's access token (the API always sends it); None checks none."""
    limit: int = DEFAULT_PAGE
    cursor: str | None = None
    """The `next_cursor` of the page before; None for the newest events."""
    session_id: uuid.UUID | None = None
    """The `sid` of the caller's access token: refused once that session has ended."""


@dataclass(frozen=True, slots=True)
class SecurityEventsPage:
    items: list[SecurityEvent]
    next_cursor: str | None
    """Where the next (older) page starts; None when this page holds the oldest event."""


@dataclass(frozen=True, slots=True)
class ListSecurityEventsHandler:
    """The caller's security events, newest first, `limit` (1-100) at a time.

    Pages are cut by position, not by offset: a cursor names the (at, id) of the last event it
    followed, and the next page holds the events after it in that order. Events recorded while
    someone pages are newer than every page already read, so they move nothing: paging from
    the newest page to the end lists each event that was there at the start exactly once."""

    uow: UnitOfWorkFactory

    async def __call__(self, query: ListSecurityEvents) -> SecurityEventsPage:
        if not 1 <= query.limit <= MAX_PAGE:
            raise InvalidInput({"limit": [f"Must be between 1 and {MAX_PAGE}."]})
        after = decode_cursor(query.cursor) if query.cursor is not None else None
        async with self.uow() as uow:
            await bearer_user(uow.users, query)
            # One more than asked for tells whether another page follows.
            events = await uow.audit.newest(query.user_id, query.limit + 1, after)
        items = events[: query.limit]
        more = len(events) > query.limit
        return SecurityEventsPage(items, encode_cursor(items[-1]) if more else None)


def encode_cursor(event: SecurityEvent) -> str:
    """Opaque to clients (they only hand it back); it names a position, nothing secret."""
    position = f"{event.at.isoformat()}|{event.id}".encode()
    return base64.urlsafe_b64encode(position).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The position a cursor names; InvalidInput (422) for anything else."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, event_id = text.partition("|")
        position = datetime.fromisoformat(at), uuid.UUID(event_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput({"cursor": [BAD_CURSOR]}) from None
    if position[0].tzinfo is None:
        raise InvalidInput({"cursor": [BAD_CURSOR]})
    return position
