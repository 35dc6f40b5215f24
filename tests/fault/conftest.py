"""Fault tests stop and start the real local services with the project's own ops/services."""

from __future__ import annotations

import subprocess
from pathlib import Path

# The same app, client and clean state as the integration tests.
from tests.integration.conftest import api, app, clean_state, client, db, injector  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def services(*args: str) -> None:
    subprocess.run([str(ROOT / "ops" / "services"), *args], check=True, timeout=120)
