"""Entry point of the web process: `python -m api.serve [uvicorn options]`.

Uvicorn serving `api.main:app_from_env`, with metrics that add up across `--workers`: before
uvicorn starts, this process makes the folder every worker writes its metrics to
(adapters.metrics_folder) and serves their sum on WEB_METRICS_PORT from a thread of its own, which
outlives any worker uvicorn replaces. The public port serves no metrics.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext

import uvicorn.main

from adapters.logs import configure_logging
from adapters.metrics_folder import metrics_folder
from adapters.settings import Settings

APP = ("--factory", "api.main:app_from_env")


def main() -> None:
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_json)
    port = settings.web_metrics_port
    with metrics_folder("web") if port else nullcontext():
        # Imported only now: they import prometheus_client, which must see the folder first.
        from adapters.bootstrap.web import web_metrics
        from adapters.metrics import serve_metrics

        if port:
            serve_metrics(web_metrics(settings), settings.metrics_host, port)
        uvicorn.main.main([*APP, *sys.argv[1:]], prog_name="uvicorn")


if __name__ == "__main__":
    main()
