"""Start the web process from the Procfile for a benchmark, with environment overrides."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


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
