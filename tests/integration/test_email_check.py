"""The reputation check at sign-up and on an email change, against the local stand-in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import orjson
import pytest
from redis.asyncio import Redis

from adapters.email_reputation import CHECKS
from adapters.settings import Settings
from tests.fakes.email_reputation import FakeReputationService, serving
from tests.integration.api_client import Api, api_with, assert_problem
from tests.integration.tokens_mailed import MailedTokens


@pytest.fixture(scope="module")
def reputation() -> Iterator[tuple[FakeReputationService, str]]:
    service = FakeReputationService(slow_seconds=2.0)
    with serving(service) as url:
        yield service, url


async def _api(
    settings: Settings, url: str, key: str = "test-key", **changes: object
) -> AsyncIterator[Api]:
    async with api_with(
        settings,
        email_check_enabled=True,
        email_check_url=url,
        email_check_api_key=key,
        email_check_timeout_seconds=1.0,
        **changes,
    ) as api:
        yield api


@pytest.fixture
async def api_checked(settings: Settings, reputation) -> AsyncIterator[Api]:
    async for api in _api(settings, reputation[1]):
        yield api


async def _queued_checks(settings: Settings) -> list[str]:
    """User ids of check_email_reputation messages waiting in Dramatiq's default queue."""
    async with Redis.from_url(settings.redis_url) as redis:
        messages = await redis.hvals("dramatiq:default.msgs")
    decoded = [orjson.loads(m) for m in messages]
    return [m["args"][0] for m in decoded if m["actor_name"] == "check_email_reputation"]


async def test_a_deliverable_address_is_verified_at_sign_up(
    api_checked: Api, settings: Settings
) -> None:
    response = await api_checked.register(email="good@example.com")
    assert response.status_code == 201
    assert response.json()["email_status"] == "verified_ok"
    assert await _queued_checks(settings) == []


@pytest.mark.parametrize(
    ("local", "message"),
    [
        ("undeliverable", "cannot receive mail"),
        ("disposable", "Disposable"),
        ("invalid", "not a valid address"),
    ],
)
async def test_refused_addresses_are_422_and_nothing_is_stored(
    api_checked: Api,
    db,
    local: str,
    message: str,
) -> None:
    response = await api_checked.register(email=f"{local}@example.com")
    problem = assert_problem(response, 422)
    assert message in problem["errors"]["email"][0]
    assert (await (await db.execute("SELECT count(*) FROM users")).fetchone())[0] == 0
    assert (await (await db.execute("SELECT count(*) FROM outbox")).fetchone())[0] == 0


@pytest.mark.parametrize("local", ["slow", "quota", "broken", "garbage"])
async def test_a_failing_service_leaves_the_address_pending_and_queues_a_check(
    api_checked: Api, settings: Settings, local: str
) -> None:
    response = await api_checked.register(email=f"{local}@example.com")
    assert response.status_code == 201
    body = response.json()
    assert body["email_status"] == "pending"
    assert await _queued_checks(settings) == [body["id"]]


async def test_an_unknown_verdict_is_kept_as_unknown(api_checked: Api) -> None:
    response = await api_checked.register(email="risky@example.com")
    assert response.json()["email_status"] == "unknown"


async def test_a_refused_api_key_is_logged_counted_and_not_retried_at_once(
    settings: Settings,
    reputation,
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = CHECKS.labels(outcome="misconfigured")._value.get()
    async for api in _api(settings, reputation[1], key="bad-key"):
        response = await api.register(email="good@example.com")
        assert response.status_code == 201
        assert response.json()["email_status"] == "pending"
    assert CHECKS.labels(outcome="misconfigured")._value.get() == before + 1
    assert await _queued_checks(settings) == [], "housekeeping tries again later, not a hot loop"
    assert any("misconfigured" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)


async def test_a_new_address_is_checked_too(api_checked: Api) -> None:
    auth = await api_checked.signed_up(email="good@example.com")
    refused = await api_checked.change_email(auth, "disposable@example.com")
    assert_problem(refused, 422)
    asked = await api_checked.change_email(auth, "broken@example.com")
    assert asked.json()["pending_email"] == "broken@example.com"
    assert asked.json()["email_status"] == "verified_ok", "the current address, still"


async def test_a_rejected_address_blocks_sign_in_until_it_changes(
    api: Api, db, mailed: MailedTokens
) -> None:
    auth = await api.signed_up()
    await db.execute("UPDATE users SET email_status = 'rejected'")
    refused = await api.login()
    problem = assert_problem(refused, 403)
    assert "rejected" in str(problem["detail"])
    wrong = await api.login(password="wrong-password")
    assert_problem(wrong, 401)  # nothing is told to someone without the password
    assert (await api.change_email(auth, "fixed@example.com")).status_code == 200
    assert_problem(await api.login(), 403)  # until the new address is confirmed
    assert (
        await api.confirm_email(await mailed.verification("fixed@example.com"))
    ).status_code == 204
    changed = (await api.client.get("/api/v1/users", headers=auth)).json()
    assert (changed["email"], changed["email_status"]) == ("fixed@example.com", "unchecked")
    assert (await api.login()).status_code == 200


async def test_profile_shows_email_status(api: Api) -> None:
    auth = await api.signed_up()
    profile = await api.client.get("/api/v1/users", headers=auth)
    assert profile.json()["email_status"] == "unchecked"


async def test_slow_checks_of_many_email_changes_do_not_exhaust_the_database_pool(
    api: Api, settings: Settings, reputation
) -> None:
    """30 concurrent email changes whose check takes the full 1 s timeout, on a write pool of
    4 (+4 overflow) connections that waits at most 1 s for one: nobody gets a 503, because no
    request holds a connection while it waits for the reputation service."""
    headers = []
    for n in range(30):
        headers.append(await api.signed_up(username=f"mover{n}", email=f"mover{n}@example.com"))
    async for checked in _api(settings, reputation[1], db_pool_size=4, db_timeout_seconds=1.0):
        responses = await asyncio.gather(
            *(checked.change_email(h, f"slow{n}@example.com") for n, h in enumerate(headers))
        )
    assert [r.status_code for r in responses] == [200] * 30, [
        r.text for r in responses if r.status_code != 200
    ]
    assert {r.json()["pending_email"] for r in responses} == {
        f"slow{n}@example.com" for n in range(30)
    }
