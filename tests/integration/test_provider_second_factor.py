"""A provider is one way into an account, not a way around its second factor: once the owner
of an account with two-step sign-in has linked a provider, signing in through it asks for the
code as the password does, on the pages and through POST /api/v1/token/oidc. (Before, the
provider's word alone signed such an account in: whoever took over the owner's account at the
provider skipped the second factor.)"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import psycopg
import pytest

from adapters.settings import Settings
from tests.integration.api_client import Api, ShiftedClock, assert_problem
from tests.integration.provider_browser import ProviderBrowser, provider_app
from tests.integration.two_step import PASSWORD, TwoStep
from tests.oidc_provider import fresh_login, id_token_for

NONCE = "nonce-of-the-client"


@pytest.fixture
async def app_api(settings: Settings, migrated: str, clock: ShiftedClock) -> AsyncIterator[Api]:
    async with provider_app(settings, clock) as api:
        yield api


@pytest.fixture
def browser(app_api: Api) -> ProviderBrowser:
    return ProviderBrowser(app_api.client)


@pytest.fixture
def two_step(app_api: Api, clock: ShiftedClock, settings: Settings) -> TwoStep:
    return TwoStep(app_api, clock, settings)


def _mfa_token(html: str) -> str:
    found = re.search(r'name="mfa_token" value="([^"]+)"', html)
    assert found, f"no second step on the page: {html[:500]}"
    return found[1]


async def _owner_with_app_and_provider(browser: ProviderBrowser, two_step: TwoStep) -> tuple:
    """An account with two-step sign-in on, and the provider linked by its owner (who signed in
    with the password and the code to link it). Returns the provider login and the secret."""
    login = fresh_login()
    await browser.sign_up("owner", f"{login}@example.com", PASSWORD)
    token = await two_step.api.token("owner", PASSWORD)
    enrolled = await two_step.enrol({"Authorization": f"Bearer {token}"})
    waiting = await browser.sign_in_with_provider(login)
    assert waiting.headers["location"] == "/login"
    password_step = await browser.submit("/login", "/login", username="owner", password=PASSWORD)
    linked = await browser.submit(
        "/login/code",
        "/login",
        mfa_token=_mfa_token(password_step.text),
        code=two_step.code(enrolled.secret),
    )
    assert linked.headers["location"] == "/account?notice=provider-linked", linked.text
    two_step.next_step()
    browser.client.cookies.delete("session")
    return login, enrolled.secret


async def test_the_pages_ask_for_the_code_after_the_provider(
    browser: ProviderBrowser, two_step: TwoStep, db: psycopg.AsyncConnection
) -> None:
    login, secret = await _owner_with_app_and_provider(browser, two_step)
    sessions = (await (await db.execute("SELECT count(*) FROM sessions")).fetchone() or (0,))[0]

    back = await browser.sign_in_with_provider(login)

    assert back.status_code == 200, back.headers.get("location")
    assert "Sign in: the second step" in back.text
    assert "Local confirmed it is you." in back.text
    assert "session" not in browser.client.cookies
    after = (await (await db.execute("SELECT count(*) FROM sessions")).fetchone() or (0,))[0]
    assert after == sessions, "no session for the provider's word alone"
    wrong = await browser.submit(
        "/login/code", "/login", mfa_token=_mfa_token(back.text), code="000000"
    )
    assert wrong.status_code == 401
    done = await browser.submit(
        "/login/code", "/login", mfa_token=_mfa_token(back.text), code=two_step.code(secret)
    )
    assert done.headers["location"] == "/account"
    cursor = await db.execute("SELECT amr, provider FROM sessions ORDER BY created_at DESC")
    assert await cursor.fetchone() == (["ext", "otp"], "local")


async def test_the_id_token_exchange_asks_for_the_code_after_the_provider(
    browser: ProviderBrowser, two_step: TwoStep
) -> None:
    login, secret = await _owner_with_app_and_provider(browser, two_step)

    first = await two_step.client.post(
        "/api/v1/token/oidc",
        json={"provider": "local", "id_token": await id_token_for(login, NONCE), "nonce": NONCE},
    )

    problem = assert_problem(first, 403)
    assert str(problem["type"]).endswith("mfa-required")
    assert problem["methods"] == ["totp", "recovery_code"]
    assert "access_token" not in problem
    signed_in = await two_step.second_step(str(problem["mfa_token"]), code=two_step.code(secret))
    assert signed_in.status_code == 200, signed_in.text
    assert two_step.claims(signed_in.json()["access_token"])["amr"] == ["ext", "otp"]
