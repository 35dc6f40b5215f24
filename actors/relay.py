"""The `relay` process: `python -m actors.relay` publishes the outbox to Kafka until stopped, and
counts what it published on RELAY_METRICS_PORT."""

from __future__ import annotations

import asyncio
import signal

from adapters.bootstrap.relay import relay_injector
from adapters.lifecycle import Lifecycle
from adapters.logs import configure_logging
from adapters.metrics import exported_registry, serve_metrics
from adapters.relay import OutboxRelay
from adapters.settings import Settings


async def main() -> None:
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_json)
    serve_metrics(exported_registry(), settings.metrics_host, settings.relay_metrics_port)
    injector = relay_injector(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await injector.get(OutboxRelay).run(stop)
    finally:
        await injector.get(Lifecycle).close()


if __name__ == "__main__":
    asyncio.run(main())
