"""Start Procfile processes as `ops/run` (honcho) starts them, with test settings."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from adapters.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check, timeout: float, what: str, interval: float = 0.2):
    """Poll `check` until it returns something truthy; fail with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


@dataclass
class Process:
    name: str
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> Process:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                ["bash", "-c", procfile()[self.name]],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        return self

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        if self.popen is None:
            return
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, sig)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=5)
        self.popen = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def key_files(settings: Settings) -> dict[str, str]:
    """The environment that points a process at the tests' keys (signing, mailed tokens, CSRF,
    TOTP and webhook secrets)."""
    return {
        "JWT_KEY_DIR": str(settings.jwt_key_dir),
        "ACTION_TOKEN_KEY_FILE": str(settings.action_token_key_file),
        "CSRF_KEY_FILE": str(settings.csrf_key_file),
        "TOTP_KEY_FILE": str(settings.totp_key_file),
        "WEBHOOK_KEY_FILE": str(settings.webhook_key_file),
    }


def environment(**overrides: str) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
        "ARGON2_PROFILE": "cheapest",
        **overrides,
    }


def wait_for_http(base: str, process: Process, timeout: float = 30) -> None:
    def up() -> bool:
        assert process.running(), process.output()
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    wait_until(up, timeout, f"{process.name} at {base}")


def samples(url: str, name: str, **labels: str) -> list[Sample]:
    """The samples called `name` with these labels (and maybe others) on a Prometheus endpoint."""
    text = httpx.get(url, timeout=5).text
    return [
        sample
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    ]


def scraped(url: str, name: str, **labels: str) -> float:
    """The sum of those samples."""
    return sum(sample.value for sample in samples(url, name, **labels))


def counted_by_process(parent: Path, name: str, **labels: str) -> dict[int, float]:
    """pid -> the value of counter `name` with these labels in the files each process of a
    server wrote, in the one metrics folder (adapters.metrics_folder) under `parent`."""
    (folder,) = parent.glob("accounts-*-metrics-*")
    counts: dict[int, float] = {}
    for file in folder.glob("counter_*.db"):
        pid = int(file.stem.removeprefix("counter_"))
        for key, value, _, _ in MmapedDict.read_all_values_from_file(str(file)):
            _, sample, sample_labels, _ = json.loads(key)
            if sample == name and labels.items() <= sample_labels.items() and value:
                counts[pid] = counts.get(pid, 0) + value
    return counts
