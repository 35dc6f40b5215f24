"""The web process started from the Procfile, as `ops/run` starts it, called over real HTTP."""

from __future__ import annotations

import json
import os
import shlex
import signal
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
    procfile,
    wait_for_http,
    wait_until,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def web_process(settings: Settings, migrated: str, tmp_path: Path) -> Iterator[tuple[str, Process]]:
    redis.Redis.from_url(settings.redis_url).flushdb()
    port = free_port()
    env = environment(
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url,
        JWT_KEY_DIR=str(settings.jwt_key_dir),
        WEB_PORT=str(port),
    )
    process = Process("web", env, tmp_path / "web.log").start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base, process)
        yield base, process
    finally:
        process.stop()


@pytest.fixture
def web(web_process: tuple[str, Process]) -> tuple[str, Path]:
    base, process = web_process
    return base, process.log


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


def _alive_in_session(session: int) -> dict[int, str]:
    """Processes of the session the web process leads (it and all it started), but zombies."""
    alive = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (FileNotFoundError, ProcessLookupError):
            continue
        state, _ppid, _group, sid = stat.rsplit(")", 1)[1].split()[:4]
        if int(sid) == session and state != "Z":
            alive[int(entry.name)] = cmdline
    return alive


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "killed"])
def test_no_hashing_worker_outlives_the_web_process(
    web_process: tuple[str, Process], stop: signal.Signals
) -> None:
    base, process = web_process
    name = f"e2e_{uuid.uuid4().hex[:8]}"
    created = httpx.post(
        f"{base}/api/v1/users",
        json={"username": name, "email": f"{name}@example.com", "password": "e2e-password"},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    assert process.popen is not None
    session = process.popen.pid
    started = _alive_in_session(session)
    # The web process, the forkserver and at least one hashing worker it forked.
    assert len(started) >= 3, started
    web_pid = next(pid for pid, cmdline in started.items() if "uvicorn" in cmdline.split()[1])
    # Only the web process is signalled: a supervisor (systemd, docker) stops that one.
    os.kill(web_pid, stop)
    wait_until(lambda: not _alive_in_session(session), 10, "every child of the web process to end")
    if stop == signal.SIGTERM:
        assert "Traceback" not in process.output()
