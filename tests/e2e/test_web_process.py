"""The web process started from the Procfile, as `ops/run` starts it, called over real HTTP."""

from __future__ import annotations

import json
import shlex
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import redis

from adapters.settings import Settings
from tests.processes import (
    Process,
    counted_by_process,
    environment,
    free_port,
    key_files,
    procfile,
    scraped,
    wait_for_http,
)

pytestmark = pytest.mark.e2e


@contextmanager
def _web(settings: Settings, logs: Path, **env: str) -> Iterator[str]:
    """The Procfile's web process on a free port (its exporter on another); yields its URL."""
    redis.Redis.from_url(settings.redis_url).flushdb()
    port = free_port()
    settings_env = {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        **key_files(settings),
        "WEB_PORT": str(port),
        "WEB_METRICS_PORT": str(free_port()),
    }
    process = Process("web", environment(**{**settings_env, **env}), logs / "web.log").start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base, process, timeout=90)
        yield base
    finally:
        process.stop()


@pytest.fixture
def web(settings: Settings, migrated: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    with _web(settings, tmp_path) as base:
        yield base, tmp_path / "web.log"


def test_sign_up_log_in_and_read_the_profile_over_http(web: tuple[str, Path]) -> None:
    base, log = web
    name = f"e2e_{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=base, timeout=10) as client:
        created = client.post(
            "/api/v1/users",
            json={"username": name, "email": f"{name}@example.com", "password": "e2e-password"},
            headers={"X-Request-ID": f"req-{name}"},
        )
        assert created.status_code == 201, created.text
        token = client.post(
            "/api/v1/token/access", data={"username": name, "password": "e2e-password"}
        ).json()["access_token"]
        profile = client.get("/api/v1/users", headers={"Authorization": f"Bearer {token}"})
        assert profile.json()["username"] == name
        assert client.get("/readyz").status_code == 200
        assert client.get("/docs").status_code == 200
        client.request(
            "DELETE",
            "/api/v1/users",
            json={"password": "e2e-password"},
            headers={"Authorization": f"Bearer {token}"},
        )
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    access = [e for e in lines if e.get("logger") == "api.access"]
    signup = next(e for e in access if e.get("request_id") == f"req-{name}")
    assert signup["method"] == "POST"
    assert signup["status"] == 201
    assert signup["path"] == "/api/v1/users"
    assert "duration_ms" in signup
    assert "e2e-password" not in log.read_text()
    # uvicorn, under the launcher that makes its workers' metrics add up
    assert shlex.split(procfile()["web"])[:3] == ["python", "-m", "api.serve"]


def test_two_workers_count_every_request_once_on_the_metrics_port(
    settings: Settings, migrated: str, tmp_path: Path
) -> None:
    metrics_port = free_port()
    route = "/api/v1/users"
    with _web(
        settings,
        tmp_path,
        WEB_WORKERS="2",
        WEB_METRICS_PORT=str(metrics_port),
        TMPDIR=str(tmp_path),  # where the launcher makes the workers' metrics folder
        RATE_LIMIT_USERS_PER_IP="100000/60",
    ) as base:

        def unauthorized(_: int) -> int:
            # A connection each, so that the kernel hands requests to both workers.
            return httpx.get(f"{base}{route}", timeout=10).status_code

        sent = 0
        with ThreadPoolExecutor(max_workers=10) as pool:
            # Until both workers have answered some: only then does the sum prove anything.
            while len(counted_by_process(tmp_path, "http_requests_total", route=route)) < 2:
                assert sent < 400, "every request went to the same worker"
                assert set(pool.map(unauthorized, range(20))) == {401}
                sent += 20
        by_worker = counted_by_process(tmp_path, "http_requests_total", route=route)
        assert len(by_worker) == 2, by_worker
        metrics = f"http://127.0.0.1:{metrics_port}/metrics"
        assert scraped(metrics, "http_requests_total", route=route, status="401") == sent
        assert scraped(metrics, "http_request_duration_seconds_count", route=route) == sent
        assert "outbox_backlog" in httpx.get(metrics, timeout=5).text
        assert httpx.get(f"{base}/metrics", timeout=5).status_code == 404
