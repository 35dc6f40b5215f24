"""A sliding-window rate limiter on Redis: one sorted set per key, one Lua script per check."""

from __future__ import annotations

import asyncio
import logging
import math
import secrets

from prometheus_client import Counter
from redis.asyncio import Redis
from redis.exceptions import RedisError

from core.domain import RateLimit, Unavailable
from core.ports import Admission, Clock

log = logging.getLogger("adapters.ratelimit")

LIMITER_ERRORS = Counter(
    "rate_limiter_errors_total", "Rate-limit checks that could not reach Redis in time."
)

# Trim what left the window, count, add only if under the limit, and report when the oldest
# counted attempt leaves the window. Atomic: N concurrent calls against limit L admit exactly L.
SLIDING_WINDOW = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
local allowed = 0
if count < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
  count = count + 1
  allowed = 1
end
local reset = 0
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
if oldest[2] then
  reset = tonumber(oldest[2]) + window - now
end
return {allowed, count, reset}
"""


class RedisSlidingWindowLimiter:
    """When Redis fails or answers slower than `timeout_seconds`, either admit the attempt
    (fail-open: availability over strictness, logged and counted) or raise Unavailable."""

    def __init__(
        self,
        redis: Redis,
        clock: Clock,
        *,
        timeout_seconds: float = 0.1,
        fail_open: bool = True,
        prefix: str = "rl:",
    ) -> None:
        self._redis = redis
        self._script = redis.register_script(SLIDING_WINDOW)
        self._clock = clock
        self._timeout = timeout_seconds
        self._fail_open = fail_open
        self._prefix = prefix

    async def acquire(self, key: str, rate: RateLimit) -> Admission:
        now_ms = int(self._clock.now().timestamp() * 1000)
        member = f"{now_ms}:{secrets.token_hex(6)}"
        try:
            async with asyncio.timeout(self._timeout):
                allowed, count, reset_ms = await self._script(
                    keys=[self._prefix + key],
                    args=[now_ms, rate.window_seconds * 1000, rate.limit, member],
                )
        except (RedisError, OSError, TimeoutError) as error:
            return self._degraded(key, rate, error)
        return Admission(
            allowed=bool(allowed),
            limit=rate.limit,
            remaining=max(0, rate.limit - int(count)),
            reset_seconds=math.ceil(int(reset_ms) / 1000),
            member=member if allowed else None,
        )

    async def reset(self, key: str) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await self._redis.delete(self._prefix + key)
        except (RedisError, OSError, TimeoutError) as error:
            LIMITER_ERRORS.inc()
            log.error("rate limiter reset failed", extra={"key": key, "error": repr(error)})

    def _degraded(self, key: str, rate: RateLimit, error: BaseException) -> Admission:
        LIMITER_ERRORS.inc()
        log.error(
            "rate limiter unavailable",
            extra={"key": key, "error": repr(error), "fail_open": self._fail_open},
        )
        if not self._fail_open:
            raise Unavailable("Rate limiting is unavailable.") from error
        return Admission(allowed=True, limit=rate.limit, remaining=rate.limit, reset_seconds=0)
