"""The web process started from the Procfile, as `ops/run` starts it, called over real HTTP."""

from __future__ import annotations

import json
import os
import shlex
import signal
import time
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
    wait_until,
)

pytestmark = pytest.mark.e2e


@contextmanager
def _web(settings: Settings, logs: Path, **env: str) -> Iterator[tuple[str, Process]]:
    """The Procfile's web process on a free port (metrics on another); yields URL and process."""
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
        yield base, process
    finally:
        process.stop()


@pytest.fixture
def web_process(settings: Settings, migrated: str, tmp_path: Path) -> Iterator[tuple[str, Process]]:
    with _web(settings, tmp_path) as started:
        yield started


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
    ) as (base, process):

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
    # The supervisor of the workers logs through the same JSON setup as the workers.
    lines = process.output().splitlines()
    assert any("Started parent process" in line for line in lines)
    assert all(line.startswith("{") for line in lines), [x for x in lines if x[:1] != "{"][:3]


def _workers(session: int) -> set[int]:
    return {
        pid
        for pid, cmdline in _alive_in_session(session).items()
        if "multiprocessing.spawn" in cmdline
    }


def test_a_graceful_restart_replaces_every_worker_and_loses_no_count(
    settings: Settings, migrated: str, tmp_path: Path
) -> None:
    """SIGHUP to the web process (uvicorn's supervisor): each worker is replaced by a new one,
    started before the old one stops, so requests keep being answered; what the old workers
    counted stays in the sum."""
    metrics_port = free_port()
    route = "/api/v1/users"
    with _web(
        settings,
        tmp_path,
        WEB_WORKERS="2",
        WEB_METRICS_PORT=str(metrics_port),
        TMPDIR=str(tmp_path),
        RATE_LIMIT_USERS_PER_IP="100000/60",
    ) as (base, process):
        assert process.popen is not None
        session = process.popen.pid
        old = _workers(session)
        assert len(old) == 2, old
        answers: list[int] = []
        with httpx.Client(timeout=10) as client:
            answers += [client.get(f"{base}{route}").status_code for _ in range(20)]
            os.kill(session, signal.SIGHUP)
            # Answered all along, until both workers are new ones.
            deadline = time.monotonic() + 60
            while _workers(session) & old or len(_workers(session)) != 2:
                answers.append(client.get(f"{base}{route}").status_code)
                assert time.monotonic() < deadline, "the workers were not replaced"
                time.sleep(0.05)
            answers += [client.get(f"{base}{route}").status_code for _ in range(20)]
        assert set(answers) == {401}
        metrics = f"http://127.0.0.1:{metrics_port}/metrics"
        assert scraped(metrics, "http_requests_total", route=route, status="401") == len(answers)


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
    web_pid = next(pid for pid, cmdline in started.items() if "api.serve" in cmdline)
    # Only the web process is signalled: a supervisor (systemd, docker) stops that one.
    os.kill(web_pid, stop)
    wait_until(lambda: not _alive_in_session(session), 10, "every child of the web process to end")
    if stop == signal.SIGTERM:
        assert "Traceback" not in process.output()
