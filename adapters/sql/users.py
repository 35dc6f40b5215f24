"""PostgreSQL implementation of the user repository and the unit of work."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from types import TracebackType
from typing import Self

import psycopg
from psycopg_pool import AsyncConnectionPool
from psycopg_pool import PoolTimeout as ReaderPoolTimeout
from sqlalchemy import delete, exists, func, insert, literal, or_, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.logs import request_id as current_request_id
from adapters.sql.tables import UNIQUE_FIELDS, action_tokens, outbox, refresh_tokens, users
from core.domain import ActionPurpose, ActionToken, Conflict, RefreshToken, Unavailable, User
from core.events import UserEvent

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
)


def _is_outage(error: BaseException | None) -> bool:
    """Errors that mean the database cannot be reached, as opposed to a bug in a query."""
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


@contextlib.asynccontextmanager
async def outage_as_unavailable() -> AsyncIterator[None]:
    """Turn "the database cannot be reached" into the domain's Unavailable."""
    try:
        yield
    except Exception as error:
        if _is_outage(error):
            raise Unavailable("The database is unavailable.") from error
        raise


def _user(row: object) -> User:
    return User(*row)  # type: ignore[misc]


def _conflict(error: IntegrityError) -> Conflict | None:
    diag = getattr(error.orig, "diag", None)
    field = UNIQUE_FIELDS.get(getattr(diag, "constraint_name", None) or "")
    return Conflict(field) if field else None


class SqlUserRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, user: User) -> None:
        values = {c.name: getattr(user, c.name) for c in _COLUMNS}
        await self._write(insert(users).values(**values))

    async def get(self, user_id: uuid.UUID) -> User | None:
        result = await self._conn.execute(select(*_COLUMNS).where(users.c.id == user_id))
        row = result.first()
        return _user(row) if row else None

    async def find_by_login(self, login: str) -> User | None:
        key = login.strip().lower()
        result = await self._conn.execute(
            select(*_COLUMNS).where(
                or_(func.lower(users.c.username) == key, func.lower(users.c.email) == key)
            )
        )
        row = result.first()
        return _user(row) if row else None

    async def save(self, user: User) -> None:
        values = {name: getattr(user, name) for name in user.changed}
        if "email" in values:
            values["email_verified"] = user.email_verified
            values["email_status"] = user.email_status
            values["email_status_at"] = user.email_status_at
        if "password_hash" in values:
            values["token_version"] = user.token_version
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
        return [_user(row) for row in result]

    async def _write(self, statement: object) -> None:
        # A savepoint keeps the transaction usable after a unique violation.
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(statement)  # type: ignore[call-overload]
        except IntegrityError as error:
            conflict = _conflict(error)
            if conflict is None:
                raise
            raise conflict from error


_REFRESH_COLUMNS = (
    refresh_tokens.c.id,
    refresh_tokens.c.family_id,
    refresh_tokens.c.user_id,
    refresh_tokens.c.token_hash,
    refresh_tokens.c.token_version,
    refresh_tokens.c.created_at,
    refresh_tokens.c.expires_at,
    refresh_tokens.c.revoked_at,
)


class SqlRefreshTokens:
    """Refresh tokens inside the unit of work's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, token: RefreshToken) -> bool:
        # One statement checks the user and inserts, so a password change committed after the
        # login read the user cannot be outlived by this token.
        current = exists().where(
            users.c.id == token.user_id, users.c.token_version == token.token_version
        )
        row = select(
            *(literal(getattr(token, c.name), c.type).label(c.name) for c in _REFRESH_COLUMNS)
        ).where(current)
        statement = (
            insert(refresh_tokens)
            .from_select([c.name for c in _REFRESH_COLUMNS], row)
            .returning(refresh_tokens.c.id)
        )
        try:
            # A user deleted by a transaction still running when ours checked fails the foreign
            # key instead; the savepoint keeps our transaction usable.
            async with self._conn.begin_nested():
                result = await self._conn.execute(statement)
                return result.first() is not None
        except IntegrityError:
            return False

    async def get_for_update(self, token_hash: str) -> RefreshToken | None:
        result = await self._conn.execute(
            select(*_REFRESH_COLUMNS)
            .where(refresh_tokens.c.token_hash == token_hash)
            .with_for_update()
        )
        row = result.first()
        return RefreshToken(*row) if row else None

    async def revoke(self, token_id: uuid.UUID, now: datetime) -> None:
        await self._conn.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.id == token_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def revoke_family(self, family_id: uuid.UUID, now: datetime) -> None:
        await self._conn.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.family_id == family_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def revoke_all(self, user_id: uuid.UUID, now: datetime) -> None:
        await self._conn.execute(
            update(refresh_tokens)
            .where(refresh_tokens.c.user_id == user_id, refresh_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )


_ACTION_COLUMNS = (
    action_tokens.c.id,
    action_tokens.c.user_id,
    action_tokens.c.purpose,
    action_tokens.c.token_hash,
    action_tokens.c.email,
    action_tokens.c.expires_at,
    action_tokens.c.created_at,
    action_tokens.c.used_at,
)


class SqlActionTokens:
    """Single-use mailed tokens inside the unit of work's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, token: ActionToken) -> None:
        await self._conn.execute(
            insert(action_tokens).values({c.name: getattr(token, c.name) for c in _ACTION_COLUMNS})
        )

    async def use(
        self, token_hash: str, purpose: ActionPurpose, now: datetime
    ) -> ActionToken | None:
        # One conditional UPDATE: of two concurrent uses, the second waits for the first's row
        # lock, then finds used_at set and matches nothing.
        result = await self._conn.execute(
            update(action_tokens)
            .where(
                action_tokens.c.token_hash == token_hash,
                action_tokens.c.purpose == purpose,
                action_tokens.c.used_at.is_(None),
                action_tokens.c.expires_at > now,
            )
            .values(used_at=now)
            .returning(*_ACTION_COLUMNS)
        )
        row = result.first()
        return ActionToken(*row) if row else None

    async def invalidate(self, user_id: uuid.UUID, purpose: ActionPurpose, now: datetime) -> None:
        await self._conn.execute(
            update(action_tokens)
            .where(
                action_tokens.c.user_id == user_id,
                action_tokens.c.purpose == purpose,
                action_tokens.c.used_at.is_(None),
            )
            .values(used_at=now)
        )


class SqlOutbox:
    """Writes events into the outbox table, inside the unit of work's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def add(self, event: UserEvent) -> None:
        if event.request_id is None:
            # The id of the request being served, so one signup can be followed to its mail.
            event = dataclasses.replace(event, request_id=current_request_id.get())
        await self._conn.execute(
            insert(outbox).values(
                event_id=event.id,
                type=event.type,
                user_id=event.user_id,
                payload=event.to_json(),
                occurred_at=event.occurred_at,
            )
        )


class SqlUnitOfWork:
    """One connection and one transaction; the block rolls back unless `commit()` was called."""

    users: SqlUserRepository
    events: SqlOutbox
    refresh_tokens: SqlRefreshTokens
    action_tokens: SqlActionTokens

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        try:
            self._conn = await self._engine.connect()
            await self._conn.begin()
        except Exception as error:
            if self._conn is not None:
                await self._conn.close()
            if not _is_outage(error):
                raise
            raise Unavailable("The database is unavailable.") from error
        self.users = SqlUserRepository(self._conn)
        self.events = SqlOutbox(self._conn)
        self.refresh_tokens = SqlRefreshTokens(self._conn)
        self.action_tokens = SqlActionTokens(self._conn)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._conn is not None
        # Closing rolls back whatever was not committed. A broken connection is discarded
        # by the pool, and the error that broke it is the one worth reporting.
        with contextlib.suppress(DBAPIError):
            await self._conn.close()
        if _is_outage(exc):
            raise Unavailable("The database is unavailable.") from exc

    async def commit(self) -> None:
        assert self._conn is not None
        await self._conn.commit()


_READ_COLUMNS = ", ".join(c.name for c in _COLUMNS)
_BY_ID = f"SELECT {_READ_COLUMNS} FROM users WHERE id = %s"  # noqa: S608 (constant columns)
_BY_LOGIN = (
    f"SELECT {_READ_COLUMNS} FROM users"  # noqa: S608
    " WHERE lower(username) = %(login)s OR lower(email) = %(login)s"
)


class SqlUserReader:
    """The read side: plain psycopg on its own pool, in autocommit mode. One round trip per
    query, no BEGIN or ROLLBACK, and none of the ORM layer on the hottest path of the API."""

    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool
        self._opening = asyncio.Lock()

    async def get(self, user_id: uuid.UUID) -> User | None:
        return await self._one(_BY_ID, (user_id,))

    async def find_by_login(self, login: str) -> User | None:
        return await self._one(_BY_LOGIN, {"login": login.strip().lower()})

    async def _one(self, query: str, params: object) -> User | None:
        if self._pool.closed:
            await self._open()
        try:
            async with self._pool.connection() as conn:
                cursor = await conn.execute(query, params)  # type: ignore[call-overload]
                row = await cursor.fetchone()
        except (psycopg.OperationalError, ReaderPoolTimeout) as error:
            raise Unavailable("The database is unavailable.") from error
        return _user(row) if row else None

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
