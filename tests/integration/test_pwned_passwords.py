"""New passwords against the breached-password corpus (Have I Been Pwned's range API), here
the local stand-in: what leaves the process, what is refused, and what an outage does."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager

import pytest

from adapters.pwned_passwords import CHECKS
from adapters.settings import Settings
from tests.fakes.pwned_passwords import FakePwnedPasswords, serving, sha1_hex
from tests.integration.api_client import Api, api_with, assert_problem, field_error
from tests.integration.tokens_mailed import MailedTokens

FORGOT = "/api/v1/password/forgot"
RESET = "/api/v1/password/reset"
BREACHED = "monkey-business-1984"
PADDED = "only-in-the-padding"


@pytest.fixture(scope="module")
def pwned() -> Iterator[tuple[FakePwnedPasswords, str]]:
    service = FakePwnedPasswords(breached={BREACHED: 4521}, padded={PADDED}, slow_seconds=2.0)
    with serving(service) as url:
        yield service, url


@pytest.fixture(autouse=True)
def normal(pwned) -> Iterator[FakePwnedPasswords]:
    service = pwned[0]
    service.mode = "normal"
    service.requests.clear()
    yield service
    service.mode = "normal"


def _checked(settings: Settings, url: str, **changes: object) -> AbstractAsyncContextManager[Api]:
    return api_with(
        settings,
        pwned_passwords_enabled=True,
        pwned_passwords_url=url,
        pwned_passwords_timeout_seconds=1.0,
        **changes,
    )


@pytest.fixture
async def api_checked(settings: Settings, pwned) -> AsyncIterator[Api]:
    async with _checked(settings, pwned[1]) as api:
        yield api


async def _users(db) -> int:
    return int((await (await db.execute("SELECT count(*) FROM users")).fetchone())[0])


def _count(outcome: str) -> float:
    return CHECKS.labels(outcome=outcome)._value.get()


async def test_a_breached_password_is_refused_and_only_a_hash_prefix_leaves(
    api_checked: Api, normal: FakePwnedPasswords, db
) -> None:
    response = await api_checked.register(password=BREACHED)
    assert "data breaches" in field_error(response, "password")
    assert await _users(db) == 0

    ((path, headers),) = normal.requests
    assert re.fullmatch(r"/range/[0-9A-F]{5}", path), path
    assert path == f"/range/{sha1_hex(BREACHED)[:5]}"
    assert headers["add-padding"] == "true"
    sent = f"{path} {headers}"
    assert sha1_hex(BREACHED)[5:] not in sent.upper()
    assert BREACHED not in sent


async def test_every_request_to_the_corpus_carries_only_five_hex_digits(
    api_checked: Api, normal: FakePwnedPasswords, db, mailed: MailedTokens
) -> None:
    auth = await api_checked.signed_up(password="first-own-passphrase")
    await api_checked.client.patch(
        "/api/v1/users",
        headers=auth,
        json={"password": BREACHED, "current_password": "first-own-passphrase"},
    )
    await api_checked.client.post(FORGOT, json={"email": "alice@example.com"})
    await api_checked.client.post(
        RESET,
        json={"token": await mailed.reset(), "new_password": "second-own-passphrase"},
    )
    assert len(normal.paths()) == 3
    assert all(re.fullmatch(r"/range/[0-9A-F]{5}", path) for path in normal.paths())


async def test_a_password_not_in_the_corpus_is_accepted_and_padding_is_ignored(
    api_checked: Api,
) -> None:
    before = _count("not_found")
    assert (await api_checked.register(password=PADDED)).status_code == 201
    assert (await api_checked.login(password=PADDED)).status_code == 200
    assert _count("not_found") == before + 1


async def test_a_breached_new_password_is_refused_on_change_and_on_reset(
    api_checked: Api, db, mailed: MailedTokens
) -> None:
    auth = await api_checked.signed_up()
    changed = await api_checked.client.patch(
        "/api/v1/users",
        headers=auth,
        json={"password": BREACHED, "current_password": "s3cret-pass"},
    )
    assert "data breaches" in field_error(changed, "password")

    await api_checked.client.post(FORGOT, json={"email": "alice@example.com"})
    reset = await api_checked.client.post(
        RESET, json={"token": await mailed.reset(), "new_password": BREACHED}
    )
    assert "data breaches" in field_error(reset, "new_password")
    assert (await api_checked.login()).status_code == 200


async def test_local_rules_refuse_before_the_corpus_is_asked(
    api_checked: Api, normal: FakePwnedPasswords
) -> None:
    assert field_error(await api_checked.register(password="password123"), "password")
    assert normal.requests == []


@pytest.mark.parametrize(
    ("mode", "outcome"), [("slow", "timeout"), ("broken", "status"), ("garbage", "bad_response")]
)
async def test_an_unavailable_corpus_lets_the_password_through_logged_and_counted(
    api_checked: Api,
    normal: FakePwnedPasswords,
    caplog: pytest.LogCaptureFixture,
    mode: str,
    outcome: str,
) -> None:
    normal.mode = mode
    before = _count(outcome)
    response = await api_checked.register(password=BREACHED)
    assert response.status_code == 201, response.text
    assert _count(outcome) == before + 1
    assert any(
        "breached-password check unavailable" in r.getMessage() and r.levelname == "WARNING"
        for r in caplog.records
    )


async def test_fail_closed_refuses_new_passwords_while_the_corpus_is_down(
    settings: Settings, pwned, normal: FakePwnedPasswords, db
) -> None:
    normal.mode = "broken"
    async with _checked(settings, pwned[1], pwned_passwords_fail_closed=True) as api:
        response = await api.register(password="an-unbreached-one")
        assert_problem(response, 503)
        assert response.headers["retry-after"]
        assert await _users(db) == 0
        normal.mode = "normal"
        assert (await api.register(password="an-unbreached-one")).status_code == 201


async def test_a_slow_corpus_holds_no_database_connection(
    api: Api, settings: Settings, pwned, normal: FakePwnedPasswords, db, mailed: MailedTokens
) -> None:
    """6 sign-ups and 6 resets whose check waits the full 1 s timeout, on a write pool of 2
    (+2 overflow) connections that waits at most 0.8 s for one: nobody gets a 503, because the
    check runs before any transaction opens. (Were a connection held across the wait, either
    kind alone would outnumber the 4 connections, and the 5th would wait 1 s.)"""
    tokens = []
    for n in range(6):
        await api.register(username=f"resetter{n}", email=f"resetter{n}@example.com")
        await api.client.post(FORGOT, json={"email": f"resetter{n}@example.com"})
        tokens.append(await mailed.reset(f"resetter{n}@example.com"))
    normal.mode = "slow"
    async with _checked(settings, pwned[1], db_pool_size=2, db_timeout_seconds=0.8) as checked:
        responses = await asyncio.gather(
            *(
                checked.register(username=f"joiner{n}", email=f"joiner{n}@example.com")
                for n in range(6)
            ),
            *(
                checked.client.post(RESET, json={"token": t, "new_password": "yet-another-pass"})
                for t in tokens
            ),
        )
    assert [r.status_code for r in responses] == [201] * 6 + [204] * 6, [
        r.text for r in responses if r.status_code >= 300
    ]
