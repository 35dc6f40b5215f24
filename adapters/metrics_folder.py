"""The folder where the processes of one server (uvicorn's --workers, dramatiq's --processes)
write their Prometheus metrics, so that one exporter can add them up: prometheus_client's
multiprocess mode.

prometheus_client decides when it is imported whether its values live in memory or in files
under PROMETHEUS_MULTIPROC_DIR, so the launcher of a server names the folder in its environment
before anything imports prometheus_client; the worker processes it starts inherit the name. This
module therefore imports nothing that imports prometheus_client.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def metrics_folder(server: str) -> Iterator[Path]:
    """A new, empty folder for this server's metrics, exported as PROMETHEUS_MULTIPROC_DIR to
    this process and every process it starts from now on; removed when the server stops.

    New rather than emptied: two servers on one host (or a test beside `ops/run`) never count
    into each other's folder, and a restart starts from zero, as Prometheus expects of a new
    process."""
    if "prometheus_client" in sys.modules:
        raise RuntimeError(
            "prometheus_client was imported before its multiprocess folder was set: "
            "the metrics of this server would stay in each process"
        )
    path = Path(tempfile.mkdtemp(prefix=f"accounts-{server}-metrics-"))
    os.environ[MULTIPROCESS_DIR] = str(path)
    try:
        yield path
    finally:
        os.environ.pop(MULTIPROCESS_DIR, None)
        shutil.rmtree(path, ignore_errors=True)
