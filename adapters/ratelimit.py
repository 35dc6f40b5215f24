"""A sliding-window rate limiter on Redis: one sorted set per key, one Lua script per check."""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from prometheus_client import Counter
from redis.asyncio import Redis
from redis.exceptions import RedisError

from core.domain import RateLimit, Unavailable
from core.ports import Admission, Clock

log = logging.getLogger("adapters.ratelimit")

LIMITER_ERRORS = Counter(
    "rate_limiter_errors_total", "Rate-limit checks that could not reach Redis in time."
)

# The script of one check (what it does is described at its top), read once at import.
SLIDING_WINDOW = (Path(__file__).parent / "lua" / "sliding_window.lua").read_text()


class SlidingWindowScript(Protocol):
    """Runs SLIDING_WINDOW on Redis: redis-py's registered script, or a PipelinedScript."""

    def __call__(self, keys: Sequence[str], args: Sequence[str | int]) -> Awaitable[Any]: ...


class RedisSlidingWindowLimiter:
    """When Redis fails or answers slower than `timeout_seconds`, either admit the attempt
    (fail-open: availability over strictness, logged and counted) or raise Unavailable.
    `script` runs the check (default: registered on `redis`); `redis` also resets and gives
    back."""

    def __init__(
        self,
        redis: Redis,
        clock: Clock,
        *,
        timeout_seconds: float = 0.1,
        fail_open: bool = True,
        prefix: str = "rl:",
        script: SlidingWindowScript | None = None,
    ) -> None:
        self._redis = redis
        self._script: SlidingWindowScript = script or redis.register_script(SLIDING_WINDOW)
        self._clock = clock
        self._timeout = timeout_seconds
        self._fail_open = fail_open
        self._prefix = prefix

    async def acquire(self, key: str, rate: RateLimit) -> Admission:
        return (await self.acquire_all([(key, rate)]))[0]

    async def acquire_all(self, checks: Sequence[tuple[str, RateLimit]]) -> list[Admission]:
        now_ms = int(self._clock.now().timestamp() * 1000)
        member = f"{now_ms}:{secrets.token_hex(6)}"
        args: list[int | str] = [now_ms, member]
        for _, rate in checks:
            args += [rate.window_seconds * 1000, rate.limit]
        try:
            async with asyncio.timeout(self._timeout):
                reply = await self._script(
                    keys=[self._prefix + key for key, _ in checks], args=args
                )
        except (RedisError, OSError, TimeoutError) as error:
            return self._degraded(checks, error)
        admitted = bool(reply[0])
        admissions = []
        for i, (_, rate) in enumerate(checks):
            count, full, reset_ms = (int(v) for v in reply[1 + 3 * i : 4 + 3 * i])
            admissions.append(
                Admission(
                    allowed=admitted or not full,
                    limit=rate.limit,
                    remaining=max(0, rate.limit - count),
                    reset_seconds=math.ceil(reset_ms / 1000),
                )
            )
        return admissions

    async def reset(self, key: str) -> None:
        await self._forget(key, self._redis.delete)

    async def give_back(self, key: str) -> None:
        # The newest member: under concurrency perhaps another caller's, but the count is right.
        await self._forget(key, self._redis.zpopmax)

    async def _forget(self, key: str, command: Callable[[str], Awaitable[object]]) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await command(self._prefix + key)
        except (RedisError, OSError, TimeoutError) as error:
            LIMITER_ERRORS.inc()
            log.error("rate limiter update failed", extra={"error": repr(error)})

    def _degraded(
        self, checks: Sequence[tuple[str, RateLimit]], error: BaseException
    ) -> list[Admission]:
        LIMITER_ERRORS.inc()
        log.error(
            "rate limiter unavailable",
            extra={
                "keys": [k for k, _ in checks],
                "error": repr(error),
                "fail_open": self._fail_open,
            },
        )
        if not self._fail_open:
            raise Unavailable("Rate limiting is unavailable.") from error
        return [Admission(True, rate.limit, rate.limit, 0) for _, rate in checks]
