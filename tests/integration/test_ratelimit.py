"""The sliding-window limiter on the real Redis, alone and in front of the API."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from redis.asyncio import Redis

from adapters.bootstrap.web import web_injector
from adapters.lifecycle import Lifecycle
from adapters.ratelimit import LIMITER_ERRORS, RedisSlidingWindowLimiter
from adapters.redis_client import redis_client
from adapters.settings import Settings
from api.app import create_app
from core.domain import RateLimit, Unavailable
from tests.integration.api_client import Api, assert_problem


class MovableClock:
    def __init__(self) -> None:
        self.at = datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[Redis]:
    client = redis_client(settings.redis_url, 2.0)
    yield client
    await client.aclose()


async def _client(settings: Settings, **changes: object) -> AsyncIterator[httpx.AsyncClient]:
    changed = dataclasses.replace(settings, **changes)
    injector = web_injector(changed)
    transport = httpx.ASGITransport(app=create_app(changed, injector), client=("127.0.0.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await injector.get(Lifecycle).close()


@pytest.fixture
async def behind_proxy(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The API behind a trusted proxy on 127.0.0.1, so tests can speak for many client IPs."""
    async for client in _client(settings, trusted_proxies=("127.0.0.1",)):
        yield client


async def test_two_hundred_concurrent_attempts_admit_exactly_the_limit(redis: Redis) -> None:
    limiter = RedisSlidingWindowLimiter(redis, MovableClock(), timeout_seconds=5)
    admissions = await asyncio.gather(
        *(limiter.acquire("burst", RateLimit(50, 60)) for _ in range(200))
    )
    assert sum(a.allowed for a in admissions) == 50
    assert await redis.zcard("rl:burst") == 50, "refused attempts are not recorded"


async def test_the_window_slides(redis: Redis) -> None:
    clock = MovableClock()
    limiter = RedisSlidingWindowLimiter(redis, clock, timeout_seconds=5)
    rate = RateLimit(3, 60)
    for expected_remaining in (2, 1, 0):
        admission = await limiter.acquire("slide", rate)
        assert admission.allowed
        assert admission.remaining == expected_remaining
        clock.advance(10)
    refused = await limiter.acquire("slide", rate)  # t=30
    assert not refused.allowed
    assert refused.reset_seconds == 30, "the first attempt (t=0) leaves the window at t=60"
    clock.advance(31)  # t=61: the attempt of t=0 has slid out
    again = await limiter.acquire("slide", rate)
    assert again.allowed
    assert again.remaining == 0
    refused = await limiter.acquire("slide", rate)
    assert not refused.allowed
    assert refused.reset_seconds == 9, "next to leave: the attempt of t=10, at t=70"


async def test_limited_routes_carry_ratelimit_headers(client: httpx.AsyncClient) -> None:
    first = await client.get("/api/v1/users")
    assert first.headers["ratelimit-limit"] == "100"
    assert first.headers["ratelimit-remaining"] == "99"
    assert 0 < int(first.headers["ratelimit-reset"]) <= 60
    second = await client.get("/api/v1/users")
    assert second.headers["ratelimit-remaining"] == "98"
    assert "ratelimit-limit" not in (await client.get("/healthz")).headers


async def test_two_hundred_concurrent_requests_from_one_address(settings: Settings) -> None:
    # 200 requests queue up on one event loop, so give Redis more than the 100 ms default:
    # this test is about exact admission; a lapsed budget admits (fail-open, tested below).
    async for client in _client(settings, rate_limit_timeout_seconds=5.0):
        responses = await asyncio.gather(*(client.get("/api/v1/users") for _ in range(200)))
        statuses = [r.status_code for r in responses]
        assert statuses.count(401) == 100
        assert statuses.count(429) == 100
        refused = next(r for r in responses if r.status_code == 429)
        problem = assert_problem(refused, 429)
        assert "address" in str(problem["detail"])
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.headers["ratelimit-remaining"] == "0"


async def test_route_groups_have_separate_budgets(client: httpx.AsyncClient) -> None:
    await asyncio.gather(*(client.get("/api/v1/users") for _ in range(100)))
    assert (await client.get("/api/v1/users")).status_code == 429
    login = await client.post("/api/v1/token/access", json={"username": "x", "password": "y"})
    assert login.status_code == 401
    assert login.headers["ratelimit-remaining"] == "99"


async def test_each_user_gets_twenty_a_minute_from_any_address(
    behind_proxy: httpx.AsyncClient,
) -> None:
    auth = await Api(behind_proxy).signed_up()
    for i in range(20):
        headers = {**auth, "X-Forwarded-For": f"198.51.100.{i}"}
        assert (await behind_proxy.get("/api/v1/users", headers=headers)).status_code == 200
    refused = await behind_proxy.get(
        "/api/v1/users", headers={**auth, "X-Forwarded-For": "198.51.100.99"}
    )
    assert "account" in str(assert_problem(refused, 429)["detail"])


async def test_forwarded_for_counts_only_behind_a_trusted_proxy(
    client: httpx.AsyncClient, behind_proxy: httpx.AsyncClient
) -> None:
    spoofed = {"X-Forwarded-For": "203.0.113.7"}
    await asyncio.gather(*(client.get("/api/v1/users", headers=spoofed) for _ in range(100)))
    # Not trusted: every request counted against the socket peer, whatever the header says.
    assert (
        await client.get("/api/v1/users", headers={"X-Forwarded-For": "1.1.1.1"})
    ).status_code == 429
    # Trusted: each forwarded client has its own budget.
    other = await behind_proxy.get("/api/v1/users", headers={"X-Forwarded-For": "1.1.1.1"})
    assert other.status_code == 401
    assert other.headers["ratelimit-remaining"] == "99"


async def test_five_failed_logins_lock_the_account_from_any_address(
    behind_proxy: httpx.AsyncClient,
) -> None:
    api = Api(behind_proxy)
    await api.register()
    for i in range(5):
        response = await behind_proxy.post(
            "/api/v1/token/access",
            json={"username": "alice", "password": f"guess-{i}"},
            headers={"X-Forwarded-For": f"203.0.113.{i}"},
        )
        assert response.status_code == 401
    locked = await behind_proxy.post(
        "/api/v1/token/access",
        json={"username": "ALICE@example.com", "password": "s3cret-pass"},
        headers={"X-Forwarded-For": "198.51.100.200"},
    )
    problem = assert_problem(locked, 429)
    assert "failed logins" in str(problem["detail"])
    assert 890 <= int(locked.headers["retry-after"]) <= 900


async def test_unknown_usernames_are_locked_out_alike(behind_proxy: httpx.AsyncClient) -> None:
    for _ in range(5):
        response = await behind_proxy.post(
            "/api/v1/token/access", json={"username": "ghost", "password": "x"}
        )
        assert response.status_code == 401
    locked = await behind_proxy.post(
        "/api/v1/token/access", json={"username": "ghost", "password": "x"}
    )
    assert "failed logins" in str(assert_problem(locked, 429)["detail"])


async def test_redis_unreachable_fails_open_with_a_counted_error(settings: Settings) -> None:
    errors_before = LIMITER_ERRORS._value.get()
    async for client in _client(
        settings, redis_url="redis://127.0.0.1:1/0", login_lockout_fail_open=True
    ):
        api = Api(client)
        auth = await api.signed_up()
        response = await client.get("/api/v1/users", headers=auth)
        assert response.status_code == 200
        assert response.headers["ratelimit-remaining"] == "20"
    assert LIMITER_ERRORS._value.get() > errors_before


async def test_sign_in_is_refused_when_failed_logins_cannot_be_counted(
    settings: Settings,
) -> None:
    """An unguarded sign-in is what a password guesser wants: the lockout fails closed."""
    async for client in _client(settings):
        await Api(client).register()
    async for client in _client(settings, redis_url="redis://127.0.0.1:1/0"):
        refused = await Api(client).login()
        assert "unavailable" in str(assert_problem(refused, 503)["detail"])


async def test_redis_unreachable_fails_closed_when_configured(settings: Settings) -> None:
    async for client in _client(
        settings, redis_url="redis://127.0.0.1:1/0", rate_limit_fail_open=False
    ):
        response = await client.get("/api/v1/users")
        assert "Rate limiting" in str(assert_problem(response, 503)["detail"])


async def test_slow_redis_does_not_hold_requests(settings: Settings, redis: Redis) -> None:
    errors_before = LIMITER_ERRORS._value.get()
    async for client in _client(settings, rate_limit_timeout_seconds=0.1):
        await client.get("/api/v1/users")  # warm connection
        await redis.execute_command("CLIENT", "PAUSE", "1000", "ALL")
        try:
            response = await asyncio.wait_for(client.get("/api/v1/users"), timeout=0.9)
        finally:
            await redis.execute_command("CLIENT", "UNPAUSE")
        assert response.status_code == 401, "answered while Redis was paused"
    assert LIMITER_ERRORS._value.get() > errors_before


async def test_limiter_fail_closed_raises_unavailable(redis: Redis) -> None:
    broken = Redis.from_url("redis://127.0.0.1:1/0")
    limiter = RedisSlidingWindowLimiter(broken, MovableClock(), fail_open=False)
    with pytest.raises(Unavailable):
        await limiter.acquire("k", RateLimit(1, 1))
    await broken.aclose()
