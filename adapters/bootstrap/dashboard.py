"""The dashboard process: the Dramatiq dashboard (`actors.dashboard`)."""

from __future__ import annotations

import dramatiq

from adapters.jobs import dramatiq_broker
from adapters.settings import Settings


def dashboard_broker(settings: Settings) -> dramatiq.Broker:
    """The dashboard only reads the queues of the broker the worker uses."""
    return dramatiq_broker(settings.redis_url)
