"""Start the web process from the Procfile for a benchmark, with environment overrides, and the
clients the benchmarks drive it with."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
LOAD = [sys.executable, str(ROOT / "ops/bench/load.py")]
SIGN_UPS = [sys.executable, str(ROOT / "ops/bench/signups.py")]
PASSWORD = "bench-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def procfile_command(name: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise KeyError(name)


@dataclass(frozen=True)
class Started:
    """A server started for a benchmark: where it answers, and the session its processes share
    (it was started as the leader of a new one), for `session_cpu_seconds`."""

    base: str
    session: int


@contextmanager
def web(env: dict[str, str], extra_args: str = "", others: tuple[str, ...] = ()) -> Iterator[str]:
    """The web process (plus `others` from the Procfile) on a free port; yields its base URL."""
    with web_process(env, extra_args, others) as started:
        yield started.base


@contextmanager
def web_process(
    env: dict[str, str],
    extra_args: str = "",
    others: tuple[str, ...] = (),
    output: int | None = None,
) -> Iterator[Started]:
    """The web process (plus `others`) on a free port; `output` is where its stdout goes
    (inherited unless given, e.g. subprocess.DEVNULL for a run at LOG_LEVEL=INFO)."""
    port = free_port()
    full_env = {
        **os.environ,
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
        "WEB_PORT": str(port),
        "WEB_METRICS_PORT": str(free_port()),
        "LOG_LEVEL": "WARNING",
        **env,
    }
    process = subprocess.Popen(
        ["bash", "-c", f"{procfile_command('web')} {extra_args}"],
        cwd=ROOT,
        env=full_env,
        stdout=output,
        start_new_session=True,
    )
    helpers = [
        subprocess.Popen(
            ["bash", "-c", procfile_command(name)], cwd=ROOT, env=full_env, start_new_session=True
        )
        for name in others
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base, "/healthz", process)
        yield Started(base, process.pid)
    finally:
        for proc in (process, *helpers):
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in (process, *helpers):
            proc.wait(timeout=30)


def wait_for(base: str, path: str, process: subprocess.Popen, timeout: float = 60) -> None:
    """Until `base + path` answers (any status), or fail when the process ends first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(f"{base}{path}", timeout=1)
            return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the server at {base} did not start")
        time.sleep(0.1)


def session_cpu_seconds(session: int) -> float:
    """CPU time (user + system) of every process in `session`, and of the children they have
    reaped (cutime, cstime): what a server started as a session leader has used so far, its
    workers, forkserver and hashing processes included."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        # Fields after the command name, which may hold spaces: state is field 3 of stat(5).
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == session:  # field 6, the session id
            ticks += sum(int(value) for value in fields[11:15])  # fields 14-17
    return ticks / os.sysconf("SC_CLK_TCK")


def load(url: str, seconds: float, connections: int, *extra: str) -> dict:
    """ops/bench/load.py against `url`: its JSON summary."""
    out = subprocess.run(
        [*LOAD, url, "--seconds", str(seconds), "--connections", str(connections), *extra],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def bench_user(base: str) -> tuple[str, str]:
    """A new user and an access token of theirs."""
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=base, timeout=30) as client:
        client.post(
            "/api/v1/users",
            json={"username": name, "email": f"{name}@bench.example", "password": PASSWORD},
        ).raise_for_status()
        token = client.post(
            "/api/v1/token/access", json={"username": name, "password": PASSWORD}
        ).json()["access_token"]
    return name, token
