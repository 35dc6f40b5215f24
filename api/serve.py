"""Entry point of the web process: `python -m api.serve [uvicorn options]`.

Uvicorn serving `api.main:app_from_env` with `--workers` WEB_WORKERS (default: one per usable
core) unless the options name it, and with metrics that add up across the workers: before
uvicorn starts, this process makes the folder every worker writes its metrics to
(adapters.metrics_folder) and serves their sum on WEB_METRICS_PORT from a thread of its own, which
outlives any worker uvicorn replaces. The public port serves no metrics.

Work that must happen once per deployment (migrations, signing and other keys, Kafka topics) is
done before this starts (ops/run, the compose one-shot services) or by other processes; the app
factory each worker runs only reads keys and opens pools, so N workers race for nothing.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path

import uvicorn.main

from adapters.logs import configure_logging
from adapters.metrics_folder import metrics_folder
from adapters.settings import Settings

APP = ("--factory", "api.main:app_from_env")
# uvicorn sets up its loggers' handlers itself unless given a configuration: this one changes
# nothing (incremental, naming no logger), so that they stay as configure_logging left them and
# the supervisor of the workers writes JSON lines too.
KEEP_LOGGING = Path(__file__).with_name("uvicorn_logging.json")
# Names this process to the workers uvicorn starts from it (exit_with_launcher).
LAUNCHER_PID = "ACCOUNTS_WEB_LAUNCHER_PID"


def given(options: Sequence[str], name: str) -> str | None:
    """The value of uvicorn's option `name` (`--workers`) among `options`, if they name it."""
    for i, option in enumerate(options):
        if option == name and i + 1 < len(options):
            return options[i + 1]
        if option.startswith(f"{name}="):
            return option.partition("=")[2]
    return None


def exit_with_launcher(poll_seconds: float = 0.5) -> None:
    """In a worker that uvicorn started from this launcher: stop (as on SIGTERM: the requests in
    hand are finished, then the pools and hashing processes are closed) once the launcher is
    gone. uvicorn stops its workers when it is stopped, but a SIGKILL or the OOM killer gives it
    no chance, and its workers would serve on, unsupervised, holding the port."""
    launcher = os.environ.get(LAUNCHER_PID)
    if launcher is None or int(launcher) != os.getppid():
        return  # not a worker of the launcher: uvicorn serves in the launcher's own process

    def watch() -> None:
        while os.getppid() == int(launcher):
            time.sleep(poll_seconds)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="exit-with-launcher", daemon=True).start()


WORKER_READY_SECONDS = 60


def main() -> None:
    options = sys.argv[1:]
    workers = given(options, "--workers")
    if workers is not None:
        # The workers read their settings again: they size their hashing pools by it.
        os.environ["WEB_WORKERS"] = workers
    os.environ[LAUNCHER_PID] = str(os.getpid())
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_json)
    if workers is None:
        options = [*options, "--workers", str(settings.web_workers)]
    if given(options, "--log-config") is None:
        options = [*options, "--log-config", str(KEEP_LOGGING)]
    if given(options, "--timeout-worker-healthcheck") is None:
        # A graceful restart (SIGHUP) starts each new worker before it stops the old one, and
        # gives up the restart when the new one is not serving within this time. uvicorn's 5 s
        # is less than a worker takes to import the app and start its hashing processes on a
        # busy machine: the restart would then keep the old workers.
        options = [*options, "--timeout-worker-healthcheck", str(WORKER_READY_SECONDS)]
    port = settings.web_metrics_port
    with metrics_folder("web") if port else nullcontext():
        # Imported only now: they import prometheus_client, which must see the folder first.
        from adapters.bootstrap.web import web_metrics
        from adapters.metrics import serve_metrics

        if port:
            serve_metrics(web_metrics(settings), settings.metrics_host, port)
        uvicorn.main.main([*APP, *options], prog_name="uvicorn")


if __name__ == "__main__":
    main()
