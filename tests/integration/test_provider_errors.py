"""What goes wrong in a sign-in through a provider is refused, told to the person as a page,
and logged for an operator (provider, issuer, reason; never a code or a token): an answer that
does not match the state of this browser's request, an ID token without this sign-in's nonce,
a code used twice, a provider that is down or answers garbage, an unverified address."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import psycopg
import pytest

from adapters.settings import Settings
from tests.fakes.http import serving_get
from tests.integration.api_client import Api
from tests.integration.provider_browser import ProviderBrowser, provider_app
from tests.oidc_provider import LOCAL, fresh_login, sign_in_at_provider
from tests.processes import free_port


@pytest.fixture
async def app_api(settings: Settings, migrated: str) -> AsyncIterator[Api]:
    async with provider_app(settings) as api:
        yield api


@pytest.fixture
def browser(app_api: Api) -> ProviderBrowser:
    return ProviderBrowser(app_api.client)


def _with_param(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query[name] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


def _logged(caplog: pytest.LogCaptureFixture, reason: str) -> logging.LogRecord:
    records = [r for r in caplog.records if getattr(r, "reason", None) == reason]
    assert records, [r.__dict__.get("reason") for r in caplog.records]
    record = records[0]
    assert record.__dict__["provider"] == "local"
    assert record.__dict__["issuer"] == LOCAL.issuer
    return record


def _assert_page(response, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert words in response.text


async def _users(db: psycopg.AsyncConnection) -> int:
    return (await (await db.execute("SELECT count(*) FROM users")).fetchone())[0]


async def test_an_answer_with_another_state_is_refused(
    browser: ProviderBrowser, db: psycopg.AsyncConnection, caplog: pytest.LogCaptureFixture
) -> None:
    back = await sign_in_at_provider(await browser.start(), fresh_login())

    response = await browser.come_back(_with_param(back, "state", "forged-state"))

    _assert_page(response, 400, "does not belong to a sign-in started in this browser")
    _logged(caplog, "state_mismatch")
    assert await _users(db) == 0
    code = parse_qs(urlsplit(back).query)["code"][0]
    assert all(code not in r.getMessage() + str(r.__dict__) for r in caplog.records)


async def test_an_answer_in_a_browser_that_started_nothing_is_refused(
    browser: ProviderBrowser, app_api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    back = await sign_in_at_provider(await browser.start(), fresh_login())
    browser.client.cookies.clear()  # the victim's browser, given the attacker's answer

    response = await browser.come_back(back)

    _assert_page(response, 400, "does not belong to a sign-in started in this browser")
    _logged(caplog, "state_mismatch")


async def test_an_id_token_without_this_sign_ins_nonce_is_refused(
    browser: ProviderBrowser, db: psycopg.AsyncConnection, caplog: pytest.LogCaptureFixture
) -> None:
    to_provider = _with_param(await browser.start(), "nonce", "another-sign-ins-nonce")

    response = await browser.come_back(await sign_in_at_provider(to_provider, fresh_login()))

    _assert_page(response, 401, "Local could not confirm who you are")
    _logged(caplog, "nonce_mismatch")
    assert await _users(db) == 0


async def test_a_code_used_twice_is_refused_by_the_provider(
    browser: ProviderBrowser, caplog: pytest.LogCaptureFixture
) -> None:
    to_provider = await browser.start()
    flow_cookie = browser.client.cookies["provider_flow"]
    back = await sign_in_at_provider(to_provider, fresh_login())
    assert (await browser.come_back(back)).headers["location"] == "/account"

    # Whoever copied the request's cookie and the answer presents them again.
    browser.client.cookies.set("provider_flow", flow_cookie)
    replayed = await browser.come_back(back)

    _assert_page(replayed, 401, "has expired or was used already")
    _logged(caplog, "code_rejected")


async def test_an_unverified_address_opens_no_account(
    browser: ProviderBrowser, db: psycopg.AsyncConnection
) -> None:
    response = await browser.sign_in_with_provider(fresh_login("unverified"))

    _assert_page(response, 403, "Local has not confirmed your email address")
    assert await _users(db) == 0


async def test_a_provider_that_is_down_is_a_page_that_says_so(
    settings: Settings, migrated: str, caplog: pytest.LogCaptureFixture
) -> None:
    down = replace(LOCAL, issuer=f"http://127.0.0.1:{free_port()}")
    async with provider_app(settings, identity_providers=(down,)) as api:
        response = await api.client.get("/login/local")

    _assert_page(response, 503, "Local is not answering as it should")
    assert response.headers["retry-after"]
    record = next(r for r in caplog.records if getattr(r, "reason", "").startswith("discovery"))
    assert record.__dict__["reason"] == "discovery_network"


async def test_a_provider_that_answers_garbage_is_a_page_that_says_so(
    settings: Settings, migrated: str, caplog: pytest.LogCaptureFixture
) -> None:
    with serving_get(lambda path, headers: (200, b"<html>not json</html>"), "text/html") as url:
        garbage = replace(LOCAL, issuer=url)
        async with provider_app(settings, identity_providers=(garbage,)) as api:
            response = await api.client.get("/login/local")

    _assert_page(response, 503, "Local is not answering as it should")
    assert any(getattr(r, "reason", None) == "discovery_not_json" for r in caplog.records)


async def test_a_provider_slower_than_the_timeout_is_down(
    settings: Settings, migrated: str, caplog: pytest.LogCaptureFixture
) -> None:
    import time

    def slow(path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        time.sleep(1.5)
        return 200, b"{}"

    with serving_get(slow, "application/json") as url:
        slow_provider = replace(LOCAL, issuer=url)
        async with provider_app(
            settings, identity_providers=(slow_provider,), oidc_timeout_seconds=0.3
        ) as api:
            response = await api.client.get("/login/local")

    _assert_page(response, 503, "Local is not answering as it should")
    assert any(getattr(r, "reason", None) == "discovery_timeout" for r in caplog.records)


async def test_an_unknown_provider_is_not_found(browser: ProviderBrowser) -> None:
    response = await browser.client.get("/login/nowhere")

    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
