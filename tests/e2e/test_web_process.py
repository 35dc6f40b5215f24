"""The web process started from the Procfile, as `ops/run` starts it, called over real HTTP."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from adapters.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def web(settings: Settings, migrated: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    redis.Redis.from_url(settings.redis_url).flushdb()
    port = _free_port()
    env = {
        **os.environ,
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "JWT_KEY_DIR": str(settings.jwt_key_dir),
        "ARGON2_PROFILE": "cheapest",
        "WEB_PORT": str(port),
    }
    log = tmp_path / "web.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["bash", "-c", procfile()["web"]],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield base, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)


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
