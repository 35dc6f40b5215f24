"""Fault tests stop and start the real local services with the project's own ops/services."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.settings import Settings

# The same app, client and clean state as the integration tests.
from tests.integration.conftest import api, app, clean_state, client, db, injector  # noqa: F401
from tests.system import System, running_system

ROOT = Path(__file__).resolve().parents[2]


def services(*args: str) -> None:
    subprocess.run([str(ROOT / "ops" / "services"), *args], check=True, timeout=120)


@pytest.fixture(scope="module")
def system(
    settings: Settings, migrated: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    """Web, relay and consumer from the Procfile, for the tests of one module."""
    with running_system(settings, tmp_path_factory.mktemp("system")) as running:
        yield running
