"""Health, readiness, request ids, failures of dependencies and of our own code, API docs."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from injector import Module, provider, singleton

from adapters.bootstrap.web import web_injector, web_metrics
from adapters.lifecycle import Lifecycle
from adapters.metrics import serve_metrics
from adapters.settings import Settings
from api.app import create_app
from core.users.get_profile import GetProfile, GetProfileHandler
from tests.integration.api_client import Api, assert_problem
from tests.processes import free_port


async def _client_for(settings: Settings, *overrides: Module) -> AsyncIterator[httpx.AsyncClient]:
    injector = web_injector(settings, *overrides)
    transport = httpx.ASGITransport(app=create_app(settings, injector))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await injector.get(Lifecycle).close()


@pytest.fixture
async def nothing_reachable(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The API configured with closed ports for PostgreSQL, Redis and Kafka."""
    down = dataclasses.replace(
        settings,
        database_url="postgresql+psycopg://accounts:accounts@127.0.0.1:1/accounts",
        redis_url="redis://127.0.0.1:1/0",
        kafka_bootstrap_servers="127.0.0.1:1",
        readiness_timeout_seconds=1.0,
        db_timeout_seconds=1.0,
    )
    async for client in _client_for(down):
        yield client


async def test_healthz_and_readyz_when_everything_runs(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"postgres": "ok", "redis": "ok", "kafka": "ok"}


async def test_readyz_names_what_is_down(nothing_reachable: httpx.AsyncClient) -> None:
    response = await nothing_reachable.get("/readyz")
    problem = assert_problem(response, 503)
    assert set(problem["errors"]) == {"postgres", "redis", "kafka"}
    assert "postgres" in str(problem["detail"])
    assert (await nothing_reachable.get("/healthz")).status_code == 200


async def test_database_down_is_a_clear_503(nothing_reachable: httpx.AsyncClient) -> None:
    response = await nothing_reachable.post(
        "/api/v1/users",
        json={"username": "alice", "email": "a@example.com", "password": "longenough"},
    )
    problem = assert_problem(response, 503)
    assert "database" in str(problem["detail"])
    assert response.headers["retry-after"] == "5"
    login = await nothing_reachable.post(
        "/api/v1/token/access", json={"username": "alice", "password": "longenough"}
    )
    assert_problem(login, 503)


class _Broken:
    async def __call__(self, query: GetProfile) -> None:
        raise RuntimeError("secret internal detail")


class _BrokenProfile(Module):
    @singleton
    @provider
    def handler(self) -> GetProfileHandler:
        return _Broken()


async def test_unexpected_errors_are_500_without_internals(settings: Settings) -> None:
    async for client in _client_for(settings, _BrokenProfile()):
        api = Api(client)
        auth = await api.signed_up()
        response = await client.get("/api/v1/users", headers=auth)
        problem = assert_problem(response, 500)
        assert "request_id" in str(problem["detail"])
        assert "secret internal detail" not in response.text
        assert "Traceback" not in response.text


async def test_request_id_is_echoed_when_sane_and_generated_otherwise(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    response = await client.get(
        "/healthz", headers={"X-Request-ID": "bad id\twith tabs" + "x" * 200}
    )
    generated = response.headers["x-request-id"]
    assert generated != "abc-123"
    assert len(generated) == 32
    response = await client.get("/nowhere", headers={"X-Request-ID": "trace-me"})
    assert response.headers["x-request-id"] == "trace-me"
    assert response.json()["request_id"] == "trace-me"


async def test_openapi_document_describes_every_route(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    assert {"/api/v1/users", "/api/v1/token/access", "/.well-known/jwks.json"} <= spec[
        "paths"
    ].keys()
    assert set(spec["paths"]["/api/v1/users"]) == {"get", "post", "patch", "delete"}
    user_create = spec["components"]["schemas"]["UserCreate"]
    assert set(user_create["required"]) == {"username", "email", "password"}


async def test_swagger_ui_and_redoc_pages(client: httpx.AsyncClient) -> None:
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "swagger-ui-bundle.js" in docs.text
    asset = await client.get("/docs/static/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert len(asset.content) > 100_000
    redoc = await client.get("/redoc")
    assert redoc.status_code == 200
    assert "/openapi.json" in redoc.text


@pytest.fixture
def metrics_port(settings: Settings) -> Iterator[int]:
    """The web's exporter, as `api.serve` starts it, on a port of its own."""
    port = free_port()
    server = serve_metrics(web_metrics(settings), "127.0.0.1", port)
    assert server is not None
    yield port
    server.shutdown()
    server.server_close()


async def test_metrics_count_requests_by_route_and_show_the_outbox_backlog(
    client: httpx.AsyncClient, metrics_port: int
) -> None:
    await client.get("/api/v1/users")
    await client.get("/no/such/route")
    assert (await client.get("/metrics")).status_code == 404  # not on the public port
    async with httpx.AsyncClient() as scraper:
        text = (await scraper.get(f"http://127.0.0.1:{metrics_port}/metrics")).text
    assert 'http_requests_total{method="GET",route="/api/v1/users",status="401"}' in text
    assert 'route="unmatched"' in text
    assert "http_request_duration_seconds_bucket" in text
    assert "outbox_backlog 0.0" in text
    assert "rate_limit_rejections_total" in text or "rate_limiter_errors_total" in text
