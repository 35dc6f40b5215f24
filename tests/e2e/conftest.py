from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.settings import Settings
from tests.system import System, running_system


@pytest.fixture(scope="module")
def system(
    settings: Settings, migrated: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    with running_system(settings, tmp_path_factory.mktemp("system")) as running:
        yield running
