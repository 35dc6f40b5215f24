"""The administrators' search over every account, on the read side's pool."""

from __future__ import annotations

import asyncio

import psycopg
from psycopg.rows import class_row
from psycopg_pool import AsyncConnectionPool
from psycopg_pool import PoolTimeout as ReaderPoolTimeout

from adapters.sql.errors import database_unavailable
from adapters.sql.users import READ_COLUMNS
from core.domain import User
from core.ports import ListPosition

# Each status as User.status decides it, in SQL. Disabled accounts have a partial index of
# their own (ix_users_disabled); the others are most accounts, found walking the list's order.
_STATUS = {
    "disabled": "disabled_at IS NOT NULL",
    "rejected": "disabled_at IS NULL AND email_status = 'rejected'",
    "unconfirmed": "disabled_at IS NULL AND email_status <> 'rejected' AND NOT email_verified",
    "active": "disabled_at IS NULL AND email_status <> 'rejected' AND email_verified",
}
# LIKE on lower(...) uses the unique indexes' pattern operator class (a range scan of the
# prefix); a backslash escapes the pattern's own wildcards, which usernames may contain.
_PREFIX = "(lower(username) LIKE %(pattern)s OR lower(email) LIKE %(pattern)s)"
_AFTER = "(created_at, id) < (%(after_at)s, %(after_id)s)"


def like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


class SqlUserDirectory:
    """Newest first, by (created_at, id) (ix_users_created_at_id). The planner picks, from
    the statistics of the expression indexes, between walking that order until a page is full
    (a prefix many accounts share) and collecting a rare prefix's few rows from the pattern
    indexes and sorting them. Statements are never prepared: a generic plan would not know the
    prefix, and so could not use it."""

    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool
        self._opening = asyncio.Lock()

    async def search(
        self, *, prefix: str | None, status: str | None, after: ListPosition | None, limit: int
    ) -> list[User]:
        conditions: list[str] = []
        params: dict[str, object] = {"limit": limit}
        if prefix:
            conditions.append(_PREFIX)
            params["pattern"] = like_prefix(prefix)
        if status is not None:
            conditions.append(_STATUS[status])
        if after is not None:
            conditions.append(_AFTER)
            params.update(after_at=after.created_at, after_id=after.user_id)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        query = (
            f"SELECT {READ_COLUMNS} FROM users{where}"  # noqa: S608 (constant fragments)
            " ORDER BY created_at DESC, id DESC LIMIT %(limit)s"
        )
        if self._pool.closed:
            async with self._opening:
                if self._pool.closed:
                    await self._pool.open(wait=False)
        try:
            async with self._pool.connection() as conn:
                cursor = conn.cursor(row_factory=class_row(User))
                await cursor.execute(query, params, prepare=False)
                return await cursor.fetchall()
        except (psycopg.OperationalError, ReaderPoolTimeout) as error:
            raise database_unavailable() from error
