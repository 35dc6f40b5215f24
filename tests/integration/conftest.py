"""The API through its own app factory, against the real PostgreSQL, Redis and Kafka."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import psycopg
import pytest
from injector import Injector
from redis.asyncio import Redis

from adapters.bootstrap.web import web_injector
from adapters.lifecycle import Lifecycle
from adapters.settings import Settings
from api.app import create_app


def _plain_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture(scope="session")
async def injector(settings: Settings, migrated: str) -> AsyncIterator[Injector]:
    injector = web_injector(settings)
    yield injector
    await injector.get(Lifecycle).close()


@pytest.fixture(autouse=True)
async def clean_state(migrated: str, settings: Settings) -> None:
    """Every test starts with no users and no rate-limit history."""
    async with await psycopg.AsyncConnection.connect(_plain_dsn(migrated), autocommit=True) as c:
        await c.execute("TRUNCATE users, refresh_tokens, action_tokens, outbox, processed_events")
    async with Redis.from_url(settings.redis_url) as redis:
        await redis.flushdb()


@pytest.fixture
async def db(migrated: str) -> AsyncIterator[psycopg.AsyncConnection]:
    """A direct connection, to look at or set up rows behind the API's back."""
    async with await psycopg.AsyncConnection.connect(_plain_dsn(migrated), autocommit=True) as c:
        yield c


@pytest.fixture(scope="session")
def app(settings: Settings, injector: Injector):  # type: ignore[no-untyped-def]
    return create_app(settings, injector)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


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


@pytest.fixture
def api(client: httpx.AsyncClient) -> Api:
    return Api(client)


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "request_id"} <= body.keys()
    assert body["request_id"] == response.headers["x-request-id"]
    return body  # type: ignore[no-any-return]
