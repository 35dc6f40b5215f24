"""Readiness probes of the services the web process depends on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaClient
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

Probe = Callable[[], Awaitable[None]]


@dataclass
class Readiness:
    """Named probes, each raising when its service cannot be reached."""

    probes: dict[str, Probe]
    timeout_seconds: float


def postgres_probe(engine: AsyncEngine):  # type: ignore[no-untyped-def]
    async def probe() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    return probe


def redis_probe(redis: Redis):  # type: ignore[no-untyped-def]
    async def probe() -> None:
        await redis.ping()

    return probe


def kafka_probe(bootstrap_servers: str, timeout_seconds: float):  # type: ignore[no-untyped-def]
    async def probe() -> None:
        client = AIOKafkaClient(
            bootstrap_servers=bootstrap_servers,
            request_timeout_ms=int(timeout_seconds * 1000),
            metadata_max_age_ms=60_000,
        )
        try:
            await client.bootstrap()
        finally:
            await client.close()

    return probe
