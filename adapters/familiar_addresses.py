"""Networks that signed in to an account lately, remembered in Redis for a while."""

from __future__ import annotations

import asyncio
import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from core.domain import User

log = logging.getLogger("adapters.familiar_addresses")


class RedisFamiliarAddresses:
    """One key per (account, network) that expires `days` after its last successful sign-in.
    When Redis cannot answer in time, no network is familiar (the stricter answer) and nothing
    is remembered; the error is logged."""

    def __init__(self, redis: Redis, days: int, timeout_seconds: float) -> None:
        self._redis = redis
        self._ttl = days * 24 * 3600
        self._timeout = timeout_seconds

    async def seen(self, user: User, network: str) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                return bool(await self._redis.exists(self._key(user, network)))
        except (RedisError, OSError, TimeoutError) as error:
            log.error("familiar addresses unavailable", extra={"error": repr(error)})
            return False

    async def remember(self, user: User, network: str) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await self._redis.set(self._key(user, network), 1, ex=self._ttl)
        except (RedisError, OSError, TimeoutError) as error:
            log.error("familiar addresses unavailable", extra={"error": repr(error)})

    @staticmethod
    def _key(user: User, network: str) -> str:
        # The token version is part of the key: a password change or reset forgets them all.
        return f"familiar:{user.id}:{user.token_version}:{network}"
