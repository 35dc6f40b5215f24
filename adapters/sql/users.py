"""Accounts: the repository inside the unit of work, and the read side on its own pool."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any, TypeVar

import psycopg
from psycopg.rows import AsyncRowFactory, class_row, kwargs_row
from psycopg_pool import AsyncConnectionPool
from psycopg_pool import PoolTimeout as ReaderPoolTimeout
from sqlalchemy import ColumnElement, Executable, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.errors import database_unavailable, unique_violation_as_conflict
from adapters.sql.tables import sessions, users
from core.domain import User, login_key

Row = TypeVar("Row")

# The columns a User is built from, by name (`changed` is the entity's own bookkeeping).
_COLUMNS = (
    users.c.id,
    users.c.username,
    users.c.email,
    users.c.password_hash,
    users.c.email_verified,
    users.c.created_at,
    users.c.updated_at,
    users.c.email_status,
    users.c.email_status_at,
    users.c.token_version,
    users.c.pending_email,
    users.c.pending_email_status,
    users.c.roles,
    users.c.disabled_at,
)

_SESSION_ENDED = sessions.c.id.is_not(None).label("session_ended")


def _ended_session(session_id: uuid.UUID) -> ColumnElement[bool]:
    # Joined to the user's row: the session matches only once it has ended. A session with no
    # row (its family began before sessions were stored) has not been ended.
    return and_(
        sessions.c.id == session_id,
        sessions.c.user_id == users.c.id,
        sessions.c.ended_at.is_not(None),
    )


class SqlUserRepository:
    """Users inside the unit of work's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, user: User) -> None:
        values = {c.name: getattr(user, c.name) for c in _COLUMNS}
        values["roles"] = sorted(user.roles)
        await self._write(insert(users).values(**values))

    async def get(self, user_id: uuid.UUID) -> User | None:
        result = await self._conn.execute(select(*_COLUMNS).where(users.c.id == user_id))
        row = result.first()
        return User(**row._mapping) if row else None

    async def get_with_session(
        self, user_id: uuid.UUID, session_id: uuid.UUID
    ) -> tuple[User | None, bool]:
        result = await self._conn.execute(
            select(*_COLUMNS, _SESSION_ENDED)
            .select_from(users.outerjoin(sessions, _ended_session(session_id)))
            .where(users.c.id == user_id)
        )
        row = result.first()
        if row is None:
            return None, True
        columns = dict(row._mapping)
        return User(**{c.name: columns[c.name] for c in _COLUMNS}), not columns["session_ended"]

    async def get_for_update(self, user_id: uuid.UUID) -> User | None:
        result = await self._conn.execute(
            select(*_COLUMNS).where(users.c.id == user_id).with_for_update()
        )
        row = result.first()
        return User(**row._mapping) if row else None

    async def find_by_login(self, login: str) -> User | None:
        key = login_key(login)
        result = await self._conn.execute(
            select(*_COLUMNS).where(
                or_(func.lower(users.c.username) == key, func.lower(users.c.email) == key)
            )
        )
        row = result.first()
        return User(**row._mapping) if row else None

    async def save(self, user: User) -> None:
        # Only what changed: a concurrent write to another column (the background reputation
        # check, a rehash at sign-in) is not undone by this one.
        values = {name: getattr(user, name) for name in user.changed}
        if "roles" in values:
            values["roles"] = sorted(user.roles)
        values["updated_at"] = user.updated_at
        await self._write(update(users).where(users.c.id == user.id).values(**values))

    async def set_password_hash(
        self, user_id: uuid.UUID, password_hash: str, *, replacing: str
    ) -> None:
        await self._conn.execute(
            update(users)
            .where(users.c.id == user_id, users.c.password_hash == replacing)
            .values(password_hash=password_hash)
        )

    async def delete(self, user_id: uuid.UUID) -> None:
        # The user's refresh tokens go with the row (ON DELETE CASCADE).
        await self._conn.execute(delete(users).where(users.c.id == user_id))

    async def set_email_status(
        self, user_id: uuid.UUID, status: str, *, email: str, now: datetime
    ) -> bool:
        result = await self._conn.execute(
            update(users)
            .where(users.c.id == user_id, users.c.email == email)
            .values(email_status=status, email_status_at=now)
        )
        return bool(result.rowcount)

    async def confirm_email(self, user_id: uuid.UUID, *, email: str, now: datetime) -> bool:
        result = await self._conn.execute(
            update(users)
            .where(users.c.id == user_id, users.c.email == email)
            .values(email_verified=True, updated_at=now)
        )
        return bool(result.rowcount)

    async def claim_stale_pending(
        self, before: datetime, now: datetime, limit: int
    ) -> list[uuid.UUID]:
        stale = (
            select(users.c.id)
            .where(users.c.email_status == "pending", users.c.email_status_at < before)
            .order_by(users.c.email_status_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        result = await self._conn.execute(
            update(users)
            .where(users.c.id.in_(stale))
            .values(email_status_at=now)
            .returning(users.c.id)
        )
        return list(result.scalars())

    async def rejected_before(self, before: datetime, limit: int) -> list[User]:
        result = await self._conn.execute(
            select(*_COLUMNS)
            .where(users.c.email_status == "rejected", users.c.email_status_at < before)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [User(**row._mapping) for row in result]

    async def _write(self, statement: Executable) -> None:
        # A savepoint keeps the transaction usable after a unique violation.
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(statement)
        except IntegrityError as error:
            conflict = unique_violation_as_conflict(error)
            if conflict is None:
                raise
            raise conflict from error


# What the read side selects, shared with the administrators' search (user_directory).
READ_COLUMNS = ", ".join(c.name for c in _COLUMNS)
_BY_ID = f"SELECT {READ_COLUMNS} FROM users WHERE id = %s"  # noqa: S608 (constant columns)
# The user and, in the same round trip, whether the access token's session has ended (a row of
# the user's with `ended_at` set); the primary-key lookup adds next to nothing to the query.
_BY_ID_IN_SESSION = (
    f"SELECT {', '.join(f'u.{c.name}' for c in _COLUMNS)},"  # noqa: S608 (constant columns)
    " s.id IS NOT NULL AS session_ended"
    " FROM users u LEFT JOIN sessions s"
    " ON s.id = %(session)s AND s.user_id = u.id AND s.ended_at IS NOT NULL"
    " WHERE u.id = %(user)s"
)
_BY_LOGIN = (
    f"SELECT {READ_COLUMNS} FROM users"  # noqa: S608
    " WHERE lower(username) = %(login)s OR lower(email) = %(login)s"
)
# Builds the User straight from the row, by column name.
_AS_USER = class_row(User)


def _user_in_session(*, session_ended: bool, **columns: Any) -> tuple[User, bool]:
    return User(**columns), not session_ended


_AS_USER_IN_SESSION = kwargs_row(_user_in_session)


class SqlUserReader:
    """The read side: plain psycopg on its own pool, in autocommit mode. One round trip per
    query, no BEGIN or ROLLBACK, and none of the ORM layer on the hottest path of the API."""

    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool
        self._opening = asyncio.Lock()

    async def get(self, user_id: uuid.UUID) -> User | None:
        return await self._one(_AS_USER, _BY_ID, (user_id,))

    async def get_with_session(
        self, user_id: uuid.UUID, session_id: uuid.UUID
    ) -> tuple[User | None, bool]:
        found = await self._one(
            _AS_USER_IN_SESSION, _BY_ID_IN_SESSION, {"user": user_id, "session": session_id}
        )
        return found if found is not None else (None, True)

    async def find_by_login(self, login: str) -> User | None:
        return await self._one(_AS_USER, _BY_LOGIN, {"login": login_key(login)})

    async def _one(
        self,
        row_factory: AsyncRowFactory[Row],
        query: str,
        params: tuple[object, ...] | dict[str, object],
    ) -> Row | None:
        if self._pool.closed:
            await self._open()
        # A connection the server dropped (it restarted) fails its first query; the pool then
        # discards it. Once more, on another connection, before answering 503: connections are
        # not checked before use, which would cost every request a round trip.
        for attempt in (1, 2):
            conn: psycopg.AsyncConnection[Any] | None = None
            try:
                async with self._pool.connection() as conn:
                    cursor = conn.cursor(row_factory=row_factory)
                    await cursor.execute(query, params)
                    return await cursor.fetchone()
            except psycopg.OperationalError as error:
                if attempt == 2 or conn is None or not conn.broken:
                    raise database_unavailable() from error
            except ReaderPoolTimeout as error:
                raise database_unavailable() from error
        raise AssertionError("unreachable")

    async def _open(self) -> None:
        # Opened in the serving event loop, on first use; not waiting for the connections.
        async with self._opening:
            if self._pool.closed:
                await self._pool.open(wait=False)


def reader_pool(database_url: str, size: int, timeout_seconds: float) -> AsyncConnectionPool:
    return AsyncConnectionPool(
        database_url.replace("postgresql+psycopg://", "postgresql://"),
        min_size=1,
        max_size=size,
        timeout=timeout_seconds,
        kwargs={"autocommit": True, "connect_timeout": max(1, int(timeout_seconds))},
        open=False,
    )
