"""The SQLAlchemy engines: the write side's, and the small one the metrics exporter reads with."""

from __future__ import annotations

from typing import Any

import sqlalchemy
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def create_engine(database_url: str, pool_size: int, timeout_seconds: float) -> AsyncEngine:
    """An engine whose connections give up on a query after `timeout_seconds`, and whose pool
    waits as long for a free connection before the request is answered 503."""
    return create_async_engine(
        database_url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=timeout_seconds,
        # A connection is checked when taken from the pool, so that one the server dropped (a
        # restart) is replaced instead of failing a change with a 503. One round trip per
        # transaction; the hot read path is on the reader's pool, which retries instead.
        pool_pre_ping=True,
        connect_args=_timeouts(timeout_seconds),
    )


def scrape_engine(database_url: str, timeout_seconds: float) -> sqlalchemy.Engine:
    """One blocking connection for the metrics exporter's thread, which reads a count when
    Prometheus scrapes (outside any event loop), checked before use since scrapes are rare."""
    return sqlalchemy.create_engine(
        database_url,
        pool_size=1,
        max_overflow=0,
        pool_timeout=timeout_seconds,
        pool_pre_ping=True,
        connect_args=_timeouts(timeout_seconds),
    )


def _timeouts(timeout_seconds: float) -> dict[str, Any]:
    return {
        "connect_timeout": max(1, int(timeout_seconds)),
        "options": f"-c statement_timeout={int(timeout_seconds * 1000)}",
    }
