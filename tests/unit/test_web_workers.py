"""How many workers the web process starts, and how many hashing processes each one keeps."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import uvicorn.main

from adapters import cores
from adapters.settings import Settings
from api import serve


@pytest.fixture
def four_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("adapters.settings.usable_cores", lambda: 4)
    for name in ("WEB_WORKERS", "HASH_CONCURRENCY", serve.LAUNCHER_PID):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("four_cores")
def test_one_worker_per_core_and_one_hashing_process_per_core_in_all() -> None:
    settings = Settings.from_env(read_dotenv=False)
    assert settings.web_workers == 4
    assert settings.hash_concurrency == 1


@pytest.mark.usefixtures("four_cores")
def test_fewer_workers_each_hash_more(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_WORKERS", "1")
    settings = Settings.from_env(read_dotenv=False)
    assert (settings.web_workers, settings.hash_concurrency) == (1, 4)
    monkeypatch.setenv("WEB_WORKERS", "3")
    assert Settings.from_env(read_dotenv=False).hash_concurrency == 1


@pytest.mark.usefixtures("four_cores")
@pytest.mark.parametrize(
    ("options", "workers"),
    [
        ([], "4"),
        (["--workers", "2"], "2"),
        (["--workers=3"], "3"),
    ],
)
def test_the_launcher_passes_the_workers_to_uvicorn(
    monkeypatch: pytest.MonkeyPatch, options: list[str], workers: str
) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr(uvicorn.main, "main", lambda args, prog_name: started.append(args))
    monkeypatch.setattr(sys, "argv", ["api.serve", "--port", "8000", *options])
    monkeypatch.setenv("WEB_METRICS_PORT", "0")
    monkeypatch.setattr(serve, "configure_logging", lambda *_: None)

    serve.main()

    (args,) = started
    assert serve.given(args, "--workers") == workers
    assert args.count("--workers") + sum(a.startswith("--workers=") for a in args) == 1
    # The workers read their settings again: they must see the same number.
    assert Settings.from_env(read_dotenv=False).web_workers == int(workers)


@pytest.mark.parametrize(
    ("files", "quota"),
    [
        ({"cpu.max": "max 100000\n"}, None),
        ({"cpu.max": "150000 100000\n"}, 1.5),
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
        ({"cpu/cpu.cfs_quota_us": "200000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 2.0),
        ({}, None),
    ],
)
def test_a_container_cpu_limit_is_read_from_its_cgroup(
    tmp_path: Path, files: dict[str, str], quota: float | None
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert cores.cgroup_cpu_quota(tmp_path) == quota


def test_usable_cores_are_capped_by_the_quota_rounded_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cores.os, "sched_getaffinity", lambda _: {0, 1, 2, 3, 4, 5, 6, 7})
    monkeypatch.setattr(cores, "cgroup_cpu_quota", lambda: 1.5)
    assert cores.usable_cores() == 2
    monkeypatch.setattr(cores, "cgroup_cpu_quota", lambda: None)
    assert cores.usable_cores() == 8
