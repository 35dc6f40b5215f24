"""The API through its own app factory, against the real PostgreSQL, Redis and Kafka."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import psycopg
import pytest
from injector import Injector
from redis.asyncio import Redis

from adapters.action_token_secrets import HmacActionTokenSecrets
from adapters.bootstrap.web import web_injector
from adapters.key_files import load_key_file
from adapters.lifecycle import Lifecycle
from adapters.settings import Settings
from api.app import create_app
from tests.integration.api_client import Api, ShiftedClock, api_with
from tests.integration.tokens_mailed import MailedTokens
from tests.integration.two_step import TwoStep

TABLES = (
    "users",
    "refresh_tokens",
    "action_tokens",
    "linked_identities",
    "outbox",
    "processed_events",
    "passkeys",
    "webauthn_challenges",
    "audit_events",
    "totp_credentials",
    "recovery_codes",
    "mfa_challenges",
    "sessions",
)


def _plain_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture(scope="session")
async def injector(settings: Settings, migrated: str) -> AsyncIterator[Injector]:
    injector = web_injector(settings)
    yield injector
    await injector.get(Lifecycle).close()


@pytest.fixture(autouse=True)
async def clean_state(migrated: str, settings: Settings) -> None:
    """Every test starts with no users (nor their passkeys) and no rate-limit history."""
    async with await psycopg.AsyncConnection.connect(_plain_dsn(migrated), autocommit=True) as c:
        await c.execute(f"TRUNCATE {', '.join(TABLES)}")
    async with Redis.from_url(settings.redis_url) as redis:
        await redis.flushdb()


@pytest.fixture
async def db(migrated: str) -> AsyncIterator[psycopg.AsyncConnection]:
    """A direct connection, to look at or set up rows behind the API's back."""
    async with await psycopg.AsyncConnection.connect(_plain_dsn(migrated), autocommit=True) as c:
        yield c


@pytest.fixture(scope="session")
def app(settings: Settings, injector: Injector):
    return create_app(settings, injector)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def api(client: httpx.AsyncClient) -> Api:
    return Api(client)


@pytest.fixture
def mailed(db: psycopg.AsyncConnection, settings: Settings) -> MailedTokens:
    """The secrets of the tokens the service mailed, as their recipients read them."""
    key = load_key_file(settings.action_token_key_file)
    return MailedTokens(db, HmacActionTokenSecrets(key))


@pytest.fixture
def clock() -> ShiftedClock:
    """A clock a test moves on to let time pass, for an API built with `api_with`."""
    return ShiftedClock()


@pytest.fixture
async def timed_api(settings: Settings, migrated: str, clock: ShiftedClock) -> AsyncIterator[Api]:
    """The API on `clock`."""
    async with api_with(settings, clock) as api:
        yield api


@pytest.fixture
def two_step(timed_api: Api, clock: ShiftedClock, settings: Settings) -> TwoStep:
    """The API on `clock`, used with an authenticator app."""
    return TwoStep(timed_api, clock, settings)
