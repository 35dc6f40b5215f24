"""The worker, scheduler and dashboard processes from the Procfile, on the real Redis and
PostgreSQL, with the local stand-in of the email reputation API."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import psycopg
import pytest
import redis

from adapters.settings import Settings
from tests.e2e.email_checks import (
    dsn,
    enqueue_check,
    pending_user,
    status,
    worker_environment,
)
from tests.fakes.email_reputation import FakeReputationService, serving
from tests.processes import Process, free_port, wait_for_http, wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def reputation() -> Iterator[tuple[FakeReputationService, str]]:
    service = FakeReputationService(slow_seconds=2.0)
    with serving(service) as url:
        yield service, url


@pytest.fixture(scope="module")
def worker_env(settings: Settings, migrated: str, reputation) -> dict[str, str]:
    return worker_environment(
        settings,
        reputation[1],
        EMAIL_CHECK_TIMEOUT_SECONDS="1",
        VERIFY_MAX_RETRIES="3",
        VERIFY_MIN_BACKOFF_MS="200",
        VERIFY_MAX_BACKOFF_MS="2000",
        STALE_PENDING_MINUTES="1",
        WORKER_METRICS_PORT=str(free_port()),
        DASHBOARD_USER="ops",
        DASHBOARD_PASSWORD="dash-secret",
    )


@pytest.fixture(scope="module")
def worker(
    worker_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Process]:
    redis.Redis.from_url(worker_env["REDIS_URL"]).flushdb()
    process = Process("worker", worker_env, tmp_path_factory.mktemp("worker") / "worker.log")
    process.start()
    wait_until(lambda: "Worker process is ready" in process.output(), 60, "the worker")
    yield process
    process.stop()


@pytest.fixture(scope="module")
def web(worker_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The web process beside the worker, on the same database; yields its base URL."""
    port = free_port()
    env = {**worker_env, "WEB_PORT": str(port), "WEB_METRICS_PORT": str(free_port())}
    process = Process("web", env, tmp_path_factory.mktemp("web") / "web.log").start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base, process)
        yield base
    finally:
        process.stop()


def _dead_letters(settings: Settings) -> list[dict]:
    client = redis.Redis.from_url(settings.redis_url)
    ids = client.zrange("dramatiq:default.XQ", 0, -1)
    messages = client.hmget("dramatiq:default.XQ.msgs", ids) if ids else []
    return [orjson.loads(m) for m in messages if m]


def test_a_flaky_service_is_retried_with_backoff_until_it_answers(
    worker: Process,
    settings: Settings,
    reputation,
) -> None:
    service, _ = reputation
    user_id, email = pending_user(settings, "flaky")
    enqueue_check(settings, user_id)
    wait_until(lambda: status(settings, user_id) == "verified_ok", 30, "verified_ok")
    calls = service.calls(email)
    assert len(calls) == 3  # 500, 500, then the answer
    gaps = [b - a for a, b in itertools.pairwise(calls)]
    assert all(gap >= 0.15 for gap in gaps), gaps


def test_exhausted_retries_go_to_the_dead_letter_queue_as_unknown(
    worker: Process,
    settings: Settings,
    reputation,
) -> None:
    service, _ = reputation
    user_id, email = pending_user(settings, "broken")
    enqueue_check(settings, user_id)
    wait_until(lambda: status(settings, user_id) == "unknown", 60, "status unknown")
    assert len(service.calls(email)) == 4  # the first try and 3 retries
    dead = [m for m in _dead_letters(settings) if m["args"] == [user_id]]
    assert len(dead) == 1
    assert dead[0]["options"]["retries"] >= 3


def test_a_background_rejection_blocks_sign_in(
    worker: Process, web: str, settings: Settings
) -> None:
    password = "worker-e2e-pass"
    user_id, email = pending_user(settings, "undeliverable", password)
    credentials = {"username": email, "password": password}
    with httpx.Client(base_url=web, timeout=10) as client:
        # While the check is pending the owner may sign in.
        assert client.post("/api/v1/token/access", data=credentials).status_code == 200
        enqueue_check(settings, user_id)
        wait_until(lambda: status(settings, user_id) == "rejected", 30, "rejected")
        refused = client.post("/api/v1/token/access", data=credentials)
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    detail = refused.json()["detail"]
    assert "Sign-in is blocked" in detail
    assert "rejected this account's email address" in detail


def test_scheduler_requeues_stale_checks(
    worker: Process, worker_env: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    user_id, _ = pending_user(settings, "good")
    with psycopg.connect(dsn(settings), autocommit=True) as conn:
        conn.execute(
            "UPDATE users SET email_status_at = now() - interval '2 minutes' WHERE id = %s",
            (user_id,),
        )
    scheduler = Process("scheduler", worker_env, tmp_path / "scheduler.log").start()
    try:
        # The every-minute job is enqueued at the top of the next minute.
        wait_until(lambda: status(settings, user_id) == "verified_ok", 75, "the requeued check")
        log = scheduler.output()
        for actor in (
            "requeue_stale_email_checks",
            "prune_bookkeeping",
            "delete_rejected_accounts",
        ):
            assert f"actors.tasks:{actor}" in log
    finally:
        scheduler.stop()


def test_dashboard_needs_basic_auth(
    worker_env: dict[str, str], tmp_path: Path, settings: Settings
) -> None:
    port = free_port()
    dashboard = Process(
        "dashboard", {**worker_env, "DASHBOARD_PORT": str(port)}, tmp_path / "dashboard.log"
    ).start()
    base = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            assert dashboard.running(), dashboard.output()
            try:
                return httpx.get(base, timeout=1).status_code == 401
            except httpx.TransportError:
                return False

        wait_until(up, 30, "the dashboard")
        refused = httpx.get(base)
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Basic")
        assert httpx.get(base, auth=("ops", "wrong")).status_code == 401
        # Malformed credentials are a 401 too, not a crash: bytes outside ASCII, bad base64.
        for malformed in (b"Basic \xc3\xa9\xc3\xa9", b"Basic !!!not-base64!!!", b"Basic b3Bz"):
            assert httpx.get(base, headers={"Authorization": malformed}).status_code == 401
        home = httpx.get(base, auth=("ops", "dash-secret"))
        assert home.status_code == 200
        assert "Dramatiq" in home.text
        queue = httpx.get(f"{base}/queues/default", auth=("ops", "dash-secret"))
        assert queue.status_code == 200
        assert "dash-secret" not in dashboard.output()
    finally:
        dashboard.stop()


def test_worker_exports_dramatiq_metrics(worker: Process, worker_env: dict[str, str]) -> None:
    url = f"http://127.0.0.1:{worker_env['WORKER_METRICS_PORT']}/"

    def scraped() -> str:
        try:
            return httpx.get(url, timeout=2).text
        except httpx.TransportError:
            return ""

    text = wait_until(scraped, 20, "the worker's metrics")
    assert "dramatiq_messages_total" in text
