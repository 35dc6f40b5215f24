"""The worker with two dramatiq processes: its one metrics port counts every job once. A module
of its own, so that no other worker takes messages from the same queue meanwhile."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import redis

from adapters.settings import Settings
from tests.e2e.email_checks import enqueue_check, pending_user, status, worker_environment
from tests.fakes.email_reputation import FakeReputationService, serving
from tests.processes import Process, counted_by_process, free_port, scraped, wait_until

pytestmark = pytest.mark.e2e

ACTOR = "check_email_reputation"


def test_two_worker_processes_count_every_job_once_on_the_metrics_port(
    settings: Settings, migrated: str, tmp_path: Path
) -> None:
    redis.Redis.from_url(settings.redis_url).flushdb()
    metrics = f"http://127.0.0.1:{(port := free_port())}/metrics"
    # Each check waits half a second for the service, so that one process, which holds at most
    # 8 messages at a time (twice its 4 threads), cannot run through the queue alone.
    with serving(FakeReputationService(slow_seconds=0.5)) as url:
        env = worker_environment(
            settings,
            url,
            WORKER_PROCESSES="2",
            WORKER_METRICS_PORT=str(port),
            TMPDIR=str(tmp_path),  # where the launcher makes the processes' metrics folder
        )
        worker = Process("worker", env, tmp_path / "worker.log").start()
        try:
            wait_until(
                lambda: worker.output().count("Worker process is ready") == 2, 60, "2 processes"
            )
            users = [pending_user(settings, "slow")[0] for _ in range(24)]
            for user_id in users:
                enqueue_check(settings, user_id)
            wait_until(
                lambda: all(status(settings, u) == "verified_ok" for u in users), 60, "checks"
            )

            def exported() -> float:
                try:
                    return scraped(metrics, "dramatiq_messages_total", actor_name=ACTOR)
                except httpx.TransportError:
                    return 0.0

            # The counter goes up just after the check has written its result.
            wait_until(lambda: exported() == len(users), 10, f"{len(users)} jobs on {metrics}")
            by_process = counted_by_process(tmp_path, "dramatiq_messages_total", actor_name=ACTOR)
            assert len(by_process) == 2, by_process
            assert sum(by_process.values()) == len(users)
            assert scraped(metrics, "dramatiq_message_errors_total", actor_name=ACTOR) == 0
        finally:
            worker.stop()
