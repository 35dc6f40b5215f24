"""The web process started from the Procfile, as `ops/run` starts it, called over real HTTP."""

from __future__ import annotations

import json
import shlex
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from adapters.settings import Settings
from tests.processes import (
    Process,
    environment,
    free_port,
    key_files,
    procfile,
    wait_for_http,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def web(settings: Settings, migrated: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    redis.Redis.from_url(settings.redis_url).flushdb()
    port = free_port()
    env = environment(
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url,
        **key_files(settings),
        WEB_PORT=str(port),
    )
    process = Process("web", env, tmp_path / "web.log").start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base, process)
        yield base, process.log
    finally:
        process.stop()


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
    assert shlex.split(procfile()["web"])[0] == "uvicorn"
