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


@contextmanager
def web(env: dict[str, str], extra_args: str = "", others: tuple[str, ...] = ()) -> Iterator[str]:
    """The web process (plus `others` from the Procfile) on a free port; yields its base URL."""
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
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the web process did not start")
            time.sleep(0.1)
        yield base
    finally:
        for proc in (process, *helpers):
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in (process, *helpers):
            proc.wait(timeout=30)


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
