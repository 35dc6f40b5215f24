"""The worker's job metrics: dramatiq's own Prometheus middleware, added up across `--processes`.

The middleware counts messages, errors, retries and dead letters by actor in every worker
process, into files of one folder, and a process dramatiq forks once serves their sum. Two
things decide whether that works, both when a module is first imported: prometheus_client puts
values in files only if PROMETHEUS_MULTIPROC_DIR is set by then, and the middleware's module
reads its folder, host and port (dramatiq_prom_db, _host, _port) from the environment. So
`exported` sets them all in the launcher (`actors.worker`) before dramatiq forks anything, and
this module imports neither at module level.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import dramatiq

from adapters.metrics_folder import metrics_folder
from adapters.settings import Settings


@contextmanager
def exported(settings: Settings) -> Iterator[None]:
    """Prepares the metrics of the worker processes started inside: a new folder, and the
    exporter on METRICS_HOST:WORKER_METRICS_PORT (0: no metrics)."""
    if not settings.worker_metrics_port:
        yield
        return
    with metrics_folder("worker") as folder:
        # The names dramatiq.middleware.prometheus reads.
        os.environ.update(
            dramatiq_prom_db=str(folder),
            dramatiq_prom_host=settings.metrics_host,
            dramatiq_prom_port=str(settings.worker_metrics_port),
        )
        yield


def middleware() -> list[dramatiq.Middleware]:
    """The Prometheus middleware in a worker the launcher prepared; none elsewhere (the
    scheduler, tests, or a worker started without the launcher, whose counts nobody could add
    up)."""
    if "dramatiq_prom_db" not in os.environ:
        return []
    from dramatiq.middleware.prometheus import Prometheus

    return [Prometheus()]
