"""Exporters: the metrics folder a launcher prepares, the sum over the processes of a server, and
gauges read at scrape time. Processes that count into a folder are real child processes, since
prometheus_client chooses files or memory once per process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from actors import job_metrics
from adapters.metrics import LiveProcessesCollector, ScrapeTimeGauge
from adapters.metrics_folder import MULTIPROCESS_DIR, metrics_folder
from tests.conftest import ROOT

# A worker of a server: counts 3 jobs, holds 1 in progress, then waits for a line on stdin.
WORKER = """
import sys
from prometheus_client import Counter, Gauge
Counter("jobs_total", "Jobs.").inc(3)
Gauge("jobs_in_progress", "Busy.", multiprocess_mode="livesum").set(1)
print("counted", flush=True)
sys.stdin.readline()
"""


def _worker(folder: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER],
        env={**os.environ, MULTIPROCESS_DIR: str(folder)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "counted\n"
    return process


def _exported(folder: Path) -> str:
    registry = CollectorRegistry()
    LiveProcessesCollector(registry, folder)
    return generate_latest(registry).decode()


def test_the_sum_keeps_what_a_dead_worker_counted_and_drops_its_jobs_in_progress(
    tmp_path: Path,
) -> None:
    alive, dead = _worker(tmp_path), _worker(tmp_path)
    try:
        assert "jobs_total 6.0" in _exported(tmp_path)
        assert "jobs_in_progress 2.0" in _exported(tmp_path)
        dead.kill()  # no chance to mark itself dead
        dead.wait()
        text = _exported(tmp_path)
        assert "jobs_total 6.0" in text
        assert "jobs_in_progress 1.0" in text
    finally:
        alive.communicate("\n")


def test_a_launcher_exports_a_new_folder_to_its_children_and_removes_it() -> None:
    script = (
        "import os, subprocess, sys\n"
        "from adapters.metrics_folder import metrics_folder\n"
        "with metrics_folder('web') as folder:\n"
        "    assert not any(folder.iterdir())\n"
        "    child = 'import os; print(os.environ[\"PROMETHEUS_MULTIPROC_DIR\"])'\n"
        "    inherited = subprocess.check_output([sys.executable, '-c', child], text=True)\n"
        "    assert inherited.strip() == str(folder), inherited\n"
        "print(folder, folder.exists(), os.environ.get('PROMETHEUS_MULTIPROC_DIR'))\n"
    )
    out = subprocess.check_output([sys.executable, "-c", script], cwd=ROOT, text=True)
    folder, exists, left = out.split()
    assert Path(folder).name.startswith("accounts-web-metrics-")
    assert (exists, left) == ("False", "None")


def test_a_folder_set_after_prometheus_client_was_imported_is_refused() -> None:
    assert "prometheus_client" in sys.modules  # by this module
    with pytest.raises(RuntimeError, match="imported before"), metrics_folder("web"):
        pass
    assert MULTIPROCESS_DIR not in os.environ


def test_a_gauge_read_at_scrape_time_is_left_out_when_reading_fails() -> None:
    readings = iter([{("a",): 2.0}, RuntimeError("database down")])

    def read() -> dict[tuple[str, ...], float]:
        reading = next(readings)
        if isinstance(reading, Exception):
            raise reading
        return reading

    registry = CollectorRegistry()
    registry.register(ScrapeTimeGauge("backlog", "Waiting.", ("queue",), read))
    assert 'backlog{queue="a"} 2.0' in generate_latest(registry).decode()
    assert "backlog" not in generate_latest(registry).decode()


def test_the_worker_adds_dramatiqs_prometheus_middleware_only_when_launched_for_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("dramatiq_prom_db", raising=False)
    assert job_metrics.middleware() == []
    monkeypatch.setenv("dramatiq_prom_db", str(tmp_path))
    assert [type(each).__name__ for each in job_metrics.middleware()] == ["Prometheus"]
