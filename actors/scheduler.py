"""The `scheduler` process: `python -m actors.scheduler` (run exactly one).

Enqueues the periodic actors declared in actors.tasks on their cron, with periodiq's scheduler.
periodiq's own command exits at the first tick the broker cannot be reached, and under honcho one
process exiting stops them all; this one logs the outage and tries again at the next tick (every
job is housekeeping that a later run catches up on)."""

from __future__ import annotations

import logging
import time
from typing import Any

import dramatiq
import pendulum
from periodiq import Scheduler, print_periodic_actors

from actors import tasks  # noqa: F401 (declares the actors on the broker)

log = logging.getLogger("actors.scheduler")
STILL_DOWN_EVERY_SECONDS = 300


class ResilientScheduler(Scheduler):  # type: ignore[misc]
    """Sends each due actor on its own; a broker error skips that tick's message."""

    def __init__(self, actors: list[dramatiq.Actor[Any, Any]]) -> None:
        super().__init__(actors=actors)
        self._down_since: float | None = None
        self._last_report = 0.0

    def send_actors(self, actors: list[dramatiq.Actor[Any, Any]], now: Any) -> None:
        for actor in actors:
            try:
                actor.send_with_options(scheduled_at=str(now))
            except Exception as error:  # the broker's connection errors vary by client
                self._outage(actor.actor_name, error)
            else:
                self._recovered()

    def _outage(self, actor: str, error: BaseException) -> None:
        now = time.monotonic()
        if self._down_since is None:
            self._down_since = self._last_report = now
            log.warning(
                "broker unreachable; ticks are skipped until it is back",
                extra={"actor": actor, "error": repr(error)},
            )
        elif now - self._last_report >= STILL_DOWN_EVERY_SECONDS:
            self._last_report = now
            log.warning(
                "broker still unreachable",
                extra={"down_for_s": round(now - self._down_since), "error": repr(error)},
            )

    def _recovered(self) -> None:
        if self._down_since is not None:
            log.info(
                "broker reachable again",
                extra={"down_for_s": round(time.monotonic() - self._down_since)},
            )
            self._down_since = None


def main() -> None:
    broker = dramatiq.get_broker()
    periodic = [a for a in broker.actors.values() if "periodic" in a.options]
    print_periodic_actors(periodic)
    log.info("scheduler started", extra={"actors": [a.actor_name for a in periodic]})
    second = pendulum.now().second
    if second > 55:  # as periodiq: a tick this late in the minute is the next minute's
        time.sleep(60 - second)
    scheduler = ResilientScheduler(periodic)
    scheduler.schedule()
    scheduler.loop()


if __name__ == "__main__":
    main()
