"""Headers every response carries, whatever route, outcome or layer answered it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from adapters.settings import Settings
from core.domain import RateLimit
from tests.integration.api_client import Api, api_with


def _nosniff(response: httpx.Response) -> None:
    assert response.headers.get("x-content-type-options") == "nosniff", (
        response.request.url,
        response.status_code,
    )


def _no_store(response: httpx.Response) -> None:
    assert response.headers.get("cache-control") == "no-store", (
        response.request.url,
        response.status_code,
    )


async def test_every_response_says_nosniff(client: httpx.AsyncClient) -> None:
    responses = [
        await client.get(path)
        for path in (
            "/healthz",
            "/metrics",
            "/openapi.json",
            "/docs",
            "/redoc",
            "/.well-known/jwks.json",
            "/nothing-here",
        )
    ]
    responses.append(await client.get("/docs/static/swagger-ui.css"))
    assert responses[-1].status_code == 200
    for response in responses:
        _nosniff(response)


async def test_every_api_response_is_not_to_be_stored_errors_included(api: Api) -> None:
    client = api.client
    responses = [
        await api.register(),  # 201
        await api.register(),  # 409
        await client.post("/api/v1/users", json={}),  # 422
        await client.post(
            "/api/v1/users", content=b"{", headers={"content-type": "application/json"}
        ),
        await client.post("/api/v1/users", content=b"x", headers={"content-type": "text/plain"}),
        await client.get("/api/v1/users"),  # 401
        await client.put("/api/v1/users", json={}),  # 405
        await client.get("/api/v1/nothing-here"),  # 404
        await api.login(),  # 200, tokens
        await api.login(password="wrong-password"),  # 401
    ]
    auth = {"Authorization": f"Bearer {await api.token()}"}
    responses.append(await client.get("/api/v1/users", headers=auth))  # 200, the profile
    responses.append(await client.post("/api/v1/password/forgot", json={"email": "a@example.com"}))
    assert {r.status_code for r in responses} >= {200, 201, 202, 400, 401, 404, 405, 409, 415, 422}
    for response in responses:
        _no_store(response)
        _nosniff(response)


@pytest.fixture
async def strict(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    limits = {**settings.rate_limits, "users_per_ip": RateLimit(1, 60)}
    async with api_with(settings, rate_limits=limits) as api:
        yield api.client


async def test_a_refusal_by_the_rate_limiter_is_not_to_be_stored_either(
    strict: httpx.AsyncClient,
) -> None:
    await strict.get("/api/v1/users")
    refused = await strict.get("/api/v1/users")
    assert refused.status_code == 429
    _no_store(refused)
    _nosniff(refused)


async def test_responses_outside_the_api_keep_their_caching(client: httpx.AsyncClient) -> None:
    jwks = await client.get("/.well-known/jwks.json")
    assert jwks.headers["cache-control"] == "public, max-age=300"
