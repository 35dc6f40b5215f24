"""Prometheus exporters: what a process serves on its metrics port, and gauges read when
Prometheus scrapes rather than kept up to date."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar
from wsgiref.simple_server import WSGIServer

from prometheus_client import REGISTRY, CollectorRegistry, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

from adapters.metrics_folder import MULTIPROCESS_DIR

log = logging.getLogger("adapters.metrics")

T = TypeVar("T")


def exported_registry(*collectors: Collector) -> CollectorRegistry:
    """What an exporter serves: the counts of its server (every process's, added up, when a
    launcher set up the metrics folder; this process's otherwise), then `collectors`. Gauges
    read at scrape time go here, on the exporter's registry only, so that no worker process
    keeps a copy of them for the sum to add up."""
    registry = CollectorRegistry()
    folder = os.environ.get(MULTIPROCESS_DIR)
    if folder:
        LiveProcessesCollector(registry, Path(folder))
    else:
        registry.register(REGISTRY)
    for collector in collectors:
        registry.register(collector)
    return registry


def serve_metrics(registry: Collector, host: str, port: int) -> WSGIServer | None:
    """Serves `registry` on host:port from a thread of this process; port 0: not served. A port
    already taken is logged, not fatal: the process does its work without its metrics."""
    if not port:
        return None
    try:
        server, _ = start_http_server(port, addr=host, registry=registry)
    except OSError as error:
        log.warning("metrics port busy; not serving metrics", extra={"error": repr(error)})
        return None
    return server


class LiveProcessesCollector(MultiProcessCollector):
    """The sum over the files of every process of the server. Before adding up, the live gauges
    (`multiprocess_mode="live..."`) of processes that died without saying so (a worker killed
    and replaced) are dropped; their counters and histograms stay, since what a dead worker
    counted did happen."""

    def __init__(self, registry: CollectorRegistry | None, folder: Path) -> None:
        super().__init__(registry, str(folder))  # type: ignore[no-untyped-call]
        self._folder = folder

    def collect(self) -> Iterable[Metric]:
        for file in self._folder.glob("gauge_live*_*.db"):
            pid = int(file.stem.rsplit("_", 1)[1])
            if not _running(pid):
                mark_process_dead(pid, str(self._folder))  # type: ignore[no-untyped-call]
        metrics: Iterable[Metric] = super().collect()  # type: ignore[no-untyped-call]
        return metrics


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


class ScrapeTimeGauge:
    """A gauge whose values `read` returns (label values -> value) when Prometheus scrapes.
    When reading fails, the gauge is left out of that scrape (absent rather than stale) and the
    other metrics are still served."""

    def __init__(
        self,
        name: str,
        documentation: str,
        labels: Sequence[str],
        read: Callable[[], Mapping[tuple[str, ...], float]],
    ) -> None:
        self._name = name
        self._documentation = documentation
        self._labels = labels
        self._read = read

    def collect(self) -> Iterator[Metric]:
        try:
            values = self._read()
        except Exception as error:
            log.warning("metric unavailable", extra={"metric": self._name, "error": repr(error)})
            return
        gauge = GaugeMetricFamily(self._name, self._documentation, labels=self._labels)
        for label_values, value in values.items():
            gauge.add_metric(label_values, value)
        yield gauge


def on_loop(
    loop: asyncio.AbstractEventLoop,
    read: Callable[[], Coroutine[Any, Any, T]],
    timeout_seconds: float,
) -> Callable[[], T]:
    """A blocking reader, for the exporter's thread, of what `read` finds on the process's
    event loop (where its async clients live)."""

    def blocking() -> T:
        future = asyncio.run_coroutine_threadsafe(read(), loop)
        try:
            return future.result(timeout_seconds)
        except TimeoutError:
            future.cancel()
            raise

    return blocking
