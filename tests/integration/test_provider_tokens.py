"""POST /api/v1/token/oidc: an ID token a client got from the provider itself (a real one,
ops/oidc/provider.mjs) for the service's tokens, under the rules of the pages' sign-in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import psycopg
import pytest

from adapters.settings import Settings
from core.domain import RateLimit
from tests.integration.api_client import Api, assert_problem
from tests.integration.provider_browser import provider_app
from tests.oidc_provider import OTHER_CLIENT, fresh_login, id_token_for

NONCE = "nonce-of-the-client"


@pytest.fixture
async def app_api(settings: Settings, migrated: str) -> AsyncIterator[Api]:
    async with provider_app(settings) as api:
        yield api


async def _exchange(api: Api, id_token: str, nonce: str = NONCE, provider: str = "local"):
    return await api.client.post(
        "/api/v1/token/oidc", json={"provider": provider, "id_token": id_token, "nonce": nonce}
    )


async def test_an_id_token_signs_in_as_the_password_does(app_api: Api) -> None:
    login = fresh_login()

    response = await _exchange(app_api, await id_token_for(login, NONCE))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body.keys() == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["ratelimit-limit"]
    profile = await app_api.client.get(
        "/api/v1/users", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert profile.json()["email"] == f"{login}@example.com"
    assert profile.json()["email_verified"] is True
    again = await _exchange(app_api, await id_token_for(login, NONCE))
    assert again.status_code == 200
    refreshed = await app_api.client.post(
        "/api/v1/token/refresh", json={"refresh_token": again.json()["refresh_token"]}
    )
    assert refreshed.status_code == 200


async def test_an_id_token_for_another_audience_is_refused(
    app_api: Api, db: psycopg.AsyncConnection, caplog: pytest.LogCaptureFixture
) -> None:
    id_token = await id_token_for(fresh_login(), NONCE, client=OTHER_CLIENT)

    response = await _exchange(app_api, id_token)

    body = assert_problem(response, 401)
    assert "could not confirm who you are" in str(body["detail"])
    assert any(getattr(r, "reason", None) == "wrong_audience" for r in caplog.records)
    assert all(id_token not in str(r.__dict__) for r in caplog.records)
    assert (await (await db.execute("SELECT count(*) FROM users")).fetchone())[0] == 0


async def test_an_id_token_without_the_nonce_is_refused(
    app_api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    response = await _exchange(app_api, await id_token_for(fresh_login(), NONCE), nonce="other")

    assert_problem(response, 401)
    assert any(getattr(r, "reason", None) == "nonce_mismatch" for r in caplog.records)


async def test_a_forged_id_token_is_refused(app_api: Api) -> None:
    id_token = await id_token_for(fresh_login(), NONCE)
    header, payload, signature = id_token.split(".")

    response = await _exchange(app_api, f"{header}.{payload}.{signature[::-1]}")

    assert_problem(response, 401)


async def test_an_address_of_an_account_without_the_link_is_a_conflict(app_api: Api) -> None:
    login = fresh_login()
    await app_api.register("owner", f"{login}@example.com")

    response = await _exchange(app_api, await id_token_for(login, NONCE))

    body = assert_problem(response, 409)
    assert "Sign in to it, then link Local on the account page" in str(body["detail"])


async def test_an_unverified_address_is_forbidden(app_api: Api) -> None:
    response = await _exchange(app_api, await id_token_for(fresh_login("unverified"), NONCE))

    body = assert_problem(response, 403)
    assert "Local has not confirmed your email address" in str(body["detail"])


async def test_an_unknown_provider_is_an_invalid_field(app_api: Api) -> None:
    response = await _exchange(app_api, "x.y.z", provider="nowhere")

    body = assert_problem(response, 422)
    assert "local" in str(body["errors"]["provider"])


async def test_the_exchange_is_rate_limited_like_the_password_sign_in(
    settings: Settings, migrated: str
) -> None:
    limits = {**settings.rate_limits, "token_per_ip": RateLimit(2, 60)}
    async with provider_app(settings, rate_limits=limits) as api:
        answers = [(await _exchange(api, "x.y.z")).status_code for _ in range(3)]

    assert answers == [401, 401, 429]
