"""The SQLAlchemy engine of the write side."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def create_engine(database_url: str, pool_size: int, timeout_seconds: float) -> AsyncEngine:
    """An engine whose connections give up on a query after `timeout_seconds`, and whose pool
    waits as long for a free connection before the request is answered 503."""
    return create_async_engine(
        database_url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=timeout_seconds,
        pool_pre_ping=False,
        connect_args={
            "connect_timeout": max(1, int(timeout_seconds)),
            "options": f"-c statement_timeout={int(timeout_seconds * 1000)}",
        },
    )
