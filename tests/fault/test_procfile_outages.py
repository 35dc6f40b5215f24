"""The whole Procfile under honcho, as `ops/run` starts it, outlives an outage of each service
it depends on: no process exits (honcho would stop them all), each says what is down without a
line per retry, and everything works again soon after the service returns."""

from __future__ import annotations

import asyncio
import datetime
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from adapters.jobs import DramatiqJobs, dramatiq_broker
from adapters.settings import Settings
from tests.fault.conftest import services
from tests.processes import ROOT, environment, free_port, key_files, wait_until
from tests.system import MailDev, System, register_all, unique_names, welcomes_exactly_once

# Four outages of a minute and more: about six minutes of the suite.
pytestmark = pytest.mark.e2e

PROCESSES = ("web", "relay", "consumer", "worker", "scheduler", "dashboard")
# Lines a process may log while one service is away for a minute and more: a few, not one per
# retry (the reconnect loops retry every second or so).
MAX_LINES_PER_OUTAGE = 40


class Honcho:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.popen = subprocess.Popen(
                [str(ROOT / ".venv/bin/honcho"), "start"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def running(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def lines_of(self, process: str, since: int) -> list[str]:
        """Lines `process` logged after the first `since` characters of the output."""
        return [
            line
            for line in self.output()[since:].splitlines()
            if line.split("|", 1)[0].strip().startswith(f"{process}.")
        ]

    def stop(self) -> None:
        if self.running():
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def procfile(
    settings: Settings, migrated: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[System, Honcho]]:
    run = uuid.uuid4().hex[:8]
    port = free_port()
    env = environment(
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url,
        **key_files(settings),
        WEB_PORT=str(port),
        DASHBOARD_PORT=str(free_port()),
        WORKER_METRICS_PORT=str(free_port()),
        CONSUMER_METRICS_PORT=str(free_port()),
        WEB_METRICS_PORT=str(free_port()),
        RELAY_METRICS_PORT=str(free_port()),
        EVENTS_TOPIC=f"email_notifications_procfile_{run}",
        PUBLIC_EVENTS_TOPIC=f"accounts.events.procfile_{run}",
        MAIL_CONSUMER_GROUP=f"mailer_procfile_{run}",
        RATE_LIMIT_USERS_PER_IP="100000/60",
        RATE_LIMIT_TOKEN_PER_IP="100000/60",
        MAIL_MAX_BACKOFF_SECONDS="5",
        RELAY_PUBLISH_TIMEOUT_SECONDS="3",
        DASHBOARD_PASSWORD="procfile-test",
        # A job that meets a connection broken by the restart is retried within seconds.
        VERIFY_MIN_BACKOFF_MS="500",
        VERIFY_MAX_BACKOFF_MS="2000",
    )
    env["PATH"] = f"{ROOT / '.venv/bin'}:{env['PATH']}"
    system = System(
        base=f"http://127.0.0.1:{port}",
        web_metrics="",
        consumer_metrics="",
        relay_metrics="",
        topic=env["EVENTS_TOPIC"],
        public_topic=env["PUBLIC_EVENTS_TOPIC"],
        web=None,  # type: ignore[arg-type]
        relays=[],
        consumers=[],
        mail=MailDev(),
    )
    honcho = Honcho(env, tmp_path_factory.mktemp("procfile") / "honcho.log")
    try:
        wait_until(lambda: _ready(system), 90, "the whole Procfile")
        wait_until(lambda: "started successfully" in honcho.output(), 60, "the consumer")
        yield system, honcho
    finally:
        honcho.stop()


def _ready(system: System) -> bool:
    try:
        return httpx.get(f"{system.base}/readyz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _after_next_minute() -> None:
    """Sleep past the scheduler's next tick (it ticks at the top of every minute)."""
    now = datetime.datetime.now()
    time.sleep(60 - now.second + 3)


def _job_runs_after_recovery(honcho: Honcho, redis_url: str) -> None:
    user_id = uuid.uuid4()
    asyncio.run(DramatiqJobs(dramatiq_broker(redis_url)).check_email_reputation_later(user_id))
    wait_until(lambda: str(user_id) in honcho.output(), 45, "a job sent after the recovery")


@pytest.mark.parametrize("service", ["redis", "postgres", "kafka", "maildev"])
def test_every_process_outlives_an_outage(
    procfile: tuple[System, Honcho], service: str, settings: Settings
) -> None:
    system, honcho = procfile
    before = unique_names(3)
    assert register_all(system, before) == [201] * 3
    # Delivered before the outage: a MailDev restart empties its inbox, so these are counted now.
    welcomes_exactly_once(system, before, timeout=30)
    mark = len(honcho.output())

    services("stop", service)
    try:
        _after_next_minute()
        during = unique_names(3)
        with system.client() as client:
            statuses = [system.register(client, name).status_code for name in during]
            ready = client.get("/readyz")
        if service == "postgres":
            assert statuses == [503] * 3
            during = []
        else:
            assert statuses == [201] * 3
        if service in ("postgres", "redis", "kafka"):
            assert ready.status_code == 503
            assert service in ready.json()["errors"]
        assert honcho.running(), honcho.output()[mark:]
    finally:
        services("start", service)

    back = time.monotonic()
    wait_until(lambda: _ready(system), 15, f"/readyz after {service} came back")
    assert honcho.running(), honcho.output()[mark:]
    for process in PROCESSES:
        lines = honcho.lines_of(process, mark)
        assert len(lines) <= MAX_LINES_PER_OUTAGE, (process, len(lines), lines[-5:])
    after = unique_names(3)
    wait_until(
        lambda: all(s in (201, 409) for s in register_all(system, after)),
        15 - (time.monotonic() - back) + 15,
        "sign-ups after the recovery",
    )
    delivered = during + after if service == "maildev" else before + during + after
    try:
        welcomes_exactly_once(system, delivered, timeout=60)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{honcho.lines_of('consumer', mark)[-30:]}") from None
    _job_runs_after_recovery(honcho, settings.redis_url)
    assert honcho.running(), honcho.output()[mark:]
