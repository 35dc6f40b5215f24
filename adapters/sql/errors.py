"""Database errors in domain terms: an outage is Unavailable, a unique violation a Conflict."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from adapters.sql.tables import UNIQUE_FIELDS
from core.domain import Conflict, Unavailable


def is_outage(error: BaseException | None) -> bool:
    """Errors that mean the database cannot be reached, as opposed to a bug in a query."""
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def database_unavailable() -> Unavailable:
    return Unavailable("The database is unavailable.")


@contextlib.asynccontextmanager
async def outage_as_unavailable() -> AsyncIterator[None]:
    """Turn "the database cannot be reached" into the domain's Unavailable."""
    try:
        yield
    except Exception as error:
        if is_outage(error):
            raise database_unavailable() from error
        raise


def unique_violation_as_conflict(error: IntegrityError) -> Conflict | None:
    """The Conflict on the field whose unique index `error` violated; None for other errors."""
    diag = getattr(error.orig, "diag", None)
    field = UNIQUE_FIELDS.get(getattr(diag, "constraint_name", None) or "")
    return Conflict(field) if field else None
