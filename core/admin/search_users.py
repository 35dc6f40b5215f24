"""Administrators list and search every account, a page at a time."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import datetime

from core.admin import actions
from core.admin.actions import Actor
from core.domain import USER_STATUSES, InvalidInput, User
from core.ports import ListPosition, UserDirectory

MAX_PAGE = 200
BAD_CURSOR = "Not a cursor this list handed out; start again without one."


def encode_cursor(position: ListPosition) -> str:
    """Opaque to clients: they hand it back, they do not read or build it."""
    raw = f"{position.created_at.isoformat()}|{position.user_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> ListPosition:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created_at, _, user_id = raw.partition("|")
        position = ListPosition(datetime.fromisoformat(created_at), uuid.UUID(user_id))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput({"cursor": [BAD_CURSOR]}) from None
    if position.created_at.tzinfo is None:
        raise InvalidInput({"cursor": [BAD_CURSOR]})
    return position


@dataclass(frozen=True, slots=True)
class SearchUsers:
    actor: Actor
    query: str | None = None
    """The start of the username or the email address, in any case."""
    status: str | None = None
    """One of USER_STATUSES."""
    limit: int = 50
    cursor: str | None = None
    """The `next_cursor` of the page before."""


@dataclass(frozen=True, slots=True)
class UserPage:
    users: list[User]
    next_cursor: str | None
    """None on the last page."""


@dataclass(frozen=True, slots=True)
class SearchUsersHandler:
    """A page of accounts, newest first, whose username or email starts with the query, in a
    status. Pages follow one another by a cursor on (created_at, id), which no change to an
    account moves: while someone pages through, sign-ups and renames make no account appear
    twice or be skipped (accounts created meanwhile come before the first page)."""

    directory: UserDirectory

    async def __call__(self, query: SearchUsers) -> UserPage:
        errors: dict[str, list[str]] = {}
        if query.status is not None and query.status not in USER_STATUSES:
            errors["status"] = [f"Must be one of: {', '.join(USER_STATUSES)}."]
        if not 1 <= query.limit <= MAX_PAGE:
            errors["limit"] = [f"Must be between 1 and {MAX_PAGE}."]
        if errors:
            raise InvalidInput(errors)
        after = decode_cursor(query.cursor) if query.cursor else None
        prefix = (query.query or "").strip().lower() or None
        found = await self.directory.search(
            prefix=prefix, status=query.status, after=after, limit=query.limit + 1
        )
        users = found[: query.limit]
        last = users[-1] if len(found) > query.limit else None
        actions.users_searched(query.actor, status=query.status, results=len(users))
        return UserPage(
            users, encode_cursor(ListPosition(last.created_at, last.id)) if last else None
        )
