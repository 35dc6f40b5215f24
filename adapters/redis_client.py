"""The asyncio Redis client of the web process (rate limiter and readiness probe)."""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis


def redis_client(url: str, timeout_seconds: float, max_connections: int = 64) -> Redis:
    """A client whose pool waits for a free connection instead of failing a burst."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=timeout_seconds,
        socket_timeout=timeout_seconds,
        socket_connect_timeout=timeout_seconds,
    )
    return Redis(connection_pool=pool)
