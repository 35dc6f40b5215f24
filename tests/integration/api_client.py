"""What integration tests share: a client that takes the steps a user of the API takes, and
the check that an error is a well-formed problem."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from adapters.bootstrap.web import web_injector
from adapters.lifecycle import Lifecycle
from adapters.settings import Settings
from api.app import create_app


class Api:
    """Small steps a test takes as a user of the API would."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def register(
        self,
        username: str = "alice",
        email: str = "alice@example.com",
        password: str = "s3cret-pass",
    ) -> httpx.Response:
        return await self.client.post(
            "/api/v1/users", json={"username": username, "email": email, "password": password}
        )

    async def login(self, username: str = "alice", password: str = "s3cret-pass") -> httpx.Response:
        return await self.client.post(
            "/api/v1/token/access", json={"username": username, "password": password}
        )

    async def token(self, username: str = "alice", password: str = "s3cret-pass") -> str:
        response = await self.login(username, password)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    async def signed_up(self, **kwargs: str) -> dict[str, str]:
        """Register and log in; returns the bearer header."""
        response = await self.register(**kwargs)
        assert response.status_code == 201, response.text
        username = kwargs.get("username", "alice")
        token = await self.token(username, kwargs.get("password", "s3cret-pass"))
        return {"Authorization": f"Bearer {token}"}


@asynccontextmanager
async def api_with(settings: Settings, **changes: object) -> AsyncIterator[Api]:
    """The API as `create_app` builds it on the test settings with `changes`, closed after."""
    changed = dataclasses.replace(settings, **changes)  # type: ignore[arg-type]
    injector = web_injector(changed)
    transport = httpx.ASGITransport(app=create_app(changed, injector))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client)
    await injector.get(Lifecycle).close()


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "request_id"} <= body.keys()
    assert body["request_id"] == response.headers["x-request-id"]
    return body


def field_error(response: httpx.Response, field: str) -> str:
    """The first message of the 422 problem `response` for `field`."""
    errors = assert_problem(response, 422)["errors"]
    assert isinstance(errors, dict)
    assert field in errors, errors
    return str(errors[field][0])
