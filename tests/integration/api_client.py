"""What integration tests share: a client that takes the steps a user of the API takes, the
check that an error is a well-formed problem, and the API built with other settings or clock."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from injector import Binder, InstanceProvider, Module

from adapters.bootstrap.web import web_injector
from adapters.lifecycle import Lifecycle
from adapters.settings import Settings
from api.app import create_app
from core.ports import Clock


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

    async def change_email(
        self, headers: dict[str, str], email: str, password: str = "s3cret-pass"
    ) -> httpx.Response:
        """Ask for a new address, re-entering the password as the API requires."""
        return await self.client.patch(
            "/api/v1/users",
            json={"email": email, "current_password": password},
            headers=headers,
        )

    async def confirm_email(self, token: str) -> httpx.Response:
        return await self.client.post("/api/v1/users/verify-email", json={"token": token})

    async def signed_up(self, **kwargs: str) -> dict[str, str]:
        """Register and log in; returns the bearer header."""
        response = await self.register(**kwargs)
        assert response.status_code == 201, response.text
        username = kwargs.get("username", "alice")
        token = await self.token(username, kwargs.get("password", "s3cret-pass"))
        return {"Authorization": f"Bearer {token}"}


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "request_id"} <= body.keys()
    assert body["request_id"] == response.headers["x-request-id"]
    return body


class ShiftedClock:
    """The system clock moved on by `offset`, which a test sets to let time pass."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


@asynccontextmanager
async def api_with(
    settings: Settings, clock: Clock | None = None, **changes: Any
) -> AsyncIterator[Api]:
    """The API as the web process builds it, with these settings changed and this clock."""
    changed = dataclasses.replace(settings, **changes)

    class ClockModule(Module):
        def configure(self, binder: Binder) -> None:
            if clock is not None:
                binder.bind(Clock, to=InstanceProvider(clock))  # type: ignore[type-abstract]

    injector = web_injector(changed, ClockModule())
    transport = httpx.ASGITransport(app=create_app(changed, injector), client=("127.0.0.1", 2))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Api(client)
    finally:
        await injector.get(Lifecycle).close()


def field_error(response: httpx.Response, field: str) -> str:
    """The first message of the 422 problem `response` for `field`."""
    errors = assert_problem(response, 422)["errors"]
    assert isinstance(errors, dict)
    assert field in errors, errors
    return str(errors[field][0])
