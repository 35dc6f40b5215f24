"""GET /api/v1/users on the web process and on the bare baseline (ops/bench/baseline.py), each
with 1 worker and one per core, at 16 and 64 connections: throughput, p50/p99, and requests per
CPU-second of the server's processes (all of them: the uvicorn parent, its workers and whatever
they started), read from /proc before and after each fixed-duration run.

All four servers are up at once and take the load in turns, in slices (each configuration gets
`seconds` in all, in ROUNDS slices), so that a change in what else runs on the machine falls on
all of them alike rather than on whichever ran at that moment.

The web process runs at LOG_LEVEL=INFO, its access log written (to a file), as in production;
the baseline writes none. Error lines the web process wrote (a limiter that failed open, say)
are counted in the table: a fast run that skipped work is no result.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import IO

from adapters.cores import usable_cores
from ops.bench.server import (
    ROOT,
    Started,
    bench_user,
    free_port,
    load,
    session_cpu_seconds,
    wait_for,
    web_process,
)

CONNECTIONS = (16, 64)
ROUNDS = 3
WARM_UP_SECONDS = 2.0
PATH = "/api/v1/users"


@contextmanager
def baseline_server(workers: int, env: dict[str, str]) -> Iterator[Started]:
    """The bare baseline under uvicorn, started like the web process."""
    port = free_port()
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/uvicorn"),
            "--factory",
            "ops.bench.baseline:create",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--log-level",
            "warning",
            "--no-proxy-headers",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base, PATH, proc)
        yield Started(base, proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def measured(server: Started, seconds: float, connections: int, auth: str) -> dict:
    """One load run, with the CPU time the server's processes spent during it."""
    before = session_cpu_seconds(server.session)
    result = load(f"{server.base}{PATH}", seconds, connections, "-H", auth, "--latencies")
    result["cpu_s"] = session_cpu_seconds(server.session) - before
    return result


def combined(slices: list[dict]) -> dict:
    """The slices of one configuration as one run."""
    latencies = sorted(latency for part in slices for latency in part["latencies_ms"])
    requests = sum(part["requests"] for part in slices)
    cpu = sum(part["cpu_s"] for part in slices)
    statuses: Counter[str] = Counter()
    for part in slices:
        statuses.update(part["statuses"])

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))]

    return {
        "rps": requests / sum(part["elapsed_s"] for part in slices),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "per_cpu_s": requests / cpu if cpu else float("nan"),
        "statuses": dict(statuses),
    }


def run(env: dict[str, str], seconds: float) -> list[tuple[str, ...]]:
    cores = usable_cores()
    slices: dict[tuple[str, int, int], list[dict]] = defaultdict(list)
    with ExitStack() as files:
        logs = {w: files.enter_context(tempfile.TemporaryFile()) for w in sorted({1, cores})}
        with ExitStack() as stack:
            servers: dict[tuple[str, int], Started] = {}
            for workers, log in logs.items():
                service_env = {**env, "WEB_WORKERS": str(workers), "LOG_LEVEL": "INFO"}
                servers[("service", workers)] = stack.enter_context(
                    web_process(service_env, output=log.fileno())
                )
                servers[("baseline", workers)] = stack.enter_context(baseline_server(workers, env))
            _, token = bench_user(servers[("service", 1)].base)
            auth = f"Authorization: Bearer {token}"
            for server in servers.values():
                # Every worker up, pools open, caches filled: not what is measured.
                load(f"{server.base}{PATH}", WARM_UP_SECONDS, max(CONNECTIONS), "-H", auth)
            for _ in range(ROUNDS):
                for conns in CONNECTIONS:
                    for (name, workers), server in servers.items():
                        result = measured(server, seconds / ROUNDS, conns, auth)
                        slices[(name, workers, conns)].append(result)
        rows = _table({key: combined(parts) for key, parts in slices.items()}, cores)
        for workers, log in logs.items():
            rows += _errors(workers, log)
    return rows


def _errors(workers: int, log: IO[bytes]) -> list[tuple[str, ...]]:
    """The most frequent error lines of a web process's log."""
    log.seek(0)
    errors = Counter(
        f"{entry.get('logger')}: {entry.get('event')} {entry.get('error', '')}".strip()
        for entry in map(json.loads, (line for line in log if line.startswith(b"{")))
        if entry.get("level") == "error"
    )
    return [
        (f"    service, {workers} worker(s), error lines", f"{count} x {what}")
        for what, count in errors.most_common(3)
    ]


def _table(results: dict[tuple[str, int, int], dict], cores: int) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [
        ("GET /api/v1/users", "workers", "conns", "req/s", "p50 ms", "p99 ms", "req/CPU-s")
    ]
    for (name, workers, conns), r in sorted(results.items(), key=lambda i: (i[0][1], i[0][2])):
        rows.append(
            (
                f"  {name}",
                str(workers),
                str(conns),
                f"{r['rps']:,.0f}",
                f"{r['p50_ms']:.1f}",
                f"{r['p99_ms']:.1f}",
                f"{r['per_cpu_s']:,.0f}",
            )
        )
        bad = {k: v for k, v in r["statuses"].items() if k != "200"}
        if bad:
            rows.append(("    non-200 answers", json.dumps(bad)))
    for workers in sorted({1, cores}):
        for conns in CONNECTIONS:
            ours, bare = results[("service", workers, conns)], results[("baseline", workers, conns)]
            rows.append(
                (
                    f"service / baseline, {workers} worker(s), {conns} conns",
                    f"req/CPU-s {ours['per_cpu_s'] / bare['per_cpu_s']:.2f}",
                    f"req/s {ours['rps'] / bare['rps']:.2f}",
                )
            )
    scaled, single = results[("service", cores, 16)], results[("baseline", 1, 16)]
    rows.append(
        (
            f"service with {cores} workers / baseline with 1, 16 conns",
            f"req/s {scaled['rps'] / single['rps']:.2f}",
            f"p99 {scaled['p99_ms']:.1f} ms vs {single['p99_ms']:.1f} ms",
        )
    )
    return rows
