"""The pipelined Redis connection of the per-request rate limit, on the real Redis (and, for a
server that stops answering, on one that never does)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import uvloop
from redis.asyncio import Redis
from redis.exceptions import ConnectionError, ResponseError

from adapters.ratelimit import SLIDING_WINDOW, RedisSlidingWindowLimiter
from adapters.redis_client import redis_client
from adapters.redis_pipeline import PipelinedRedis, PipelinedScript, supports
from adapters.settings import Settings
from core.domain import RateLimit
from tests.integration.test_ratelimit import MovableClock


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    client = redis_client(settings.redis_url, 2.0)
    await client.flushdb()
    yield client
    await client.aclose()


@pytest.fixture
async def pipeline(settings: Settings) -> AsyncIterator[PipelinedRedis]:
    connection = PipelinedRedis(settings.redis_url)
    yield connection
    await connection.close()


async def test_two_hundred_concurrent_attempts_admit_exactly_the_limit(
    redis: Redis, pipeline: PipelinedRedis
) -> None:
    script = PipelinedScript(pipeline, SLIDING_WINDOW)
    limiter = RedisSlidingWindowLimiter(redis, MovableClock(), timeout_seconds=5, script=script)
    admissions = await asyncio.gather(
        *(limiter.acquire_all([("burst", RateLimit(50, 60))]) for _ in range(200))
    )
    assert sum(a.allowed for (a,) in admissions) == 50
    assert await redis.zcard("rl:burst") == 50, "refused attempts are not recorded"


async def test_it_answers_as_the_redis_py_script_does(
    redis: Redis, pipeline: PipelinedRedis
) -> None:
    clock = MovableClock()
    pipelined = RedisSlidingWindowLimiter(
        redis,
        clock,
        timeout_seconds=5,
        prefix="a:",
        script=PipelinedScript(pipeline, SLIDING_WINDOW),
    )
    plain = RedisSlidingWindowLimiter(redis, clock, timeout_seconds=5, prefix="b:")
    checks = [("ip", RateLimit(3, 60)), ("user", RateLimit(2, 30))]
    for _ in range(5):
        assert await pipelined.acquire_all(checks) == await plain.acquire_all(checks)
        clock.advance(7)


async def test_a_script_the_server_lacks_is_sent_whole(
    redis: Redis, pipeline: PipelinedRedis
) -> None:
    marker = uuid.uuid4().hex
    script = PipelinedScript(pipeline, f"return ARGV[1] .. '{marker}'")
    assert await script(keys=[], args=["x"]) == f"x{marker}".encode()
    assert await script(keys=[], args=["y"]) == f"y{marker}".encode()


async def test_an_error_reply_is_raised_and_the_connection_goes_on(
    pipeline: PipelinedRedis,
) -> None:
    with pytest.raises(ResponseError):
        await pipeline.execute("NO-SUCH-COMMAND")
    assert await pipeline.execute("PING") == b"PONG"


async def test_a_connection_closed_under_it_is_opened_again(
    redis: Redis, pipeline: PipelinedRedis
) -> None:
    own_id = await pipeline.execute("CLIENT", "ID")
    await redis.execute_command("CLIENT", "KILL", "ID", own_id)
    await asyncio.sleep(0.1)  # the close reaches the client
    assert await pipeline.execute("CLIENT", "ID") != own_id


async def test_a_server_that_stops_answering_is_left_for_a_new_connection() -> None:
    connections: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        while await reader.read(1024):
            pass

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    pipeline = PipelinedRedis(f"redis://127.0.0.1:{port}/0", stale_after=0.3)
    try:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await pipeline.execute("PING")
        assert len(connections) == 1
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await pipeline.execute("PING")
        assert len(connections) == 1, "a slow reply is waited for on the same connection"
        await asyncio.sleep(0.3)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await pipeline.execute("PING")
        assert len(connections) == 2, "no reply for longer than stale_after: a new connection"
    finally:
        await pipeline.close()
        for writer in connections:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_an_unreachable_server_is_a_connection_error() -> None:
    pipeline = PipelinedRedis("redis://127.0.0.1:1/0")
    with pytest.raises((ConnectionError, OSError)):
        await pipeline.execute("PING")


@pytest.mark.parametrize(
    ("url", "pipelined"),
    [
        ("redis://127.0.0.1:6379/0", True),
        ("redis://user:secret@redis:6379/3", True),
        ("unix:///run/redis.sock?db=2", True),
        ("rediss://redis:6380/0", False),
        ("redis://redis:6379/0?socket_keepalive=true", False),
    ],
)
def test_urls_it_cannot_serve_stay_with_redis_py(url: str, pipelined: bool) -> None:
    assert supports(url) is pipelined


def test_it_works_on_uvloop_as_the_web_process_runs_it(settings: Settings) -> None:
    """uvicorn runs the app on uvloop, whose transports are not asyncio's classes."""

    async def ping_twice() -> list[object]:
        pipeline = PipelinedRedis(settings.redis_url)
        try:
            return [await pipeline.execute("PING"), await pipeline.execute("PING")]
        finally:
            await pipeline.close()

    assert uvloop.run(ping_twice()) == [b"PONG", b"PONG"]
