"""Prometheus metrics of the Dramatiq worker, served by the worker process itself."""

from __future__ import annotations

import logging
import time
from typing import Any

import dramatiq
from dramatiq.middleware import Middleware
from prometheus_client import Counter, Histogram, start_http_server

log = logging.getLogger("actors.job_metrics")

JOBS = Counter(
    "dramatiq_jobs_total", "Messages processed, by actor and outcome.", ["actor", "outcome"]
)
DURATION = Histogram("dramatiq_job_duration_seconds", "Time spent processing.", ["actor"])


class JobMetrics(Middleware):
    """Counts each processed message (ok, failed: will retry or give up) and times it; serves
    the numbers on `port` (0: not served). Run the worker with --processes 1, or give each
    host's worker processes their own port."""

    def __init__(self, host: str, port: int) -> None:
        self._host = host
        self._port = port
        self._started: dict[str, float] = {}

    def after_worker_boot(self, broker: dramatiq.Broker, worker: Any) -> None:
        if not self._port:
            return
        try:
            start_http_server(self._port, addr=self._host)
        except OSError as error:
            log.warning("metrics port busy; not serving metrics", extra={"error": repr(error)})

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        self._started[message.message_id] = time.perf_counter()

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: Any,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        started = self._started.pop(message.message_id, None)
        if started is not None:
            DURATION.labels(message.actor_name).observe(time.perf_counter() - started)
        JOBS.labels(message.actor_name, "failed" if exception else "ok").inc()

    after_skip_message = after_process_message
