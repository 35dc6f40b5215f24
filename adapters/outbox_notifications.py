"""Wakes the relay when events are committed to the outbox (`LISTEN outbox`), so that an event
goes out within milliseconds of its commit instead of at the next poll."""

from __future__ import annotations

import asyncio
import logging

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL

log = logging.getLogger("adapters.relay")

# Every insert into the outbox notifies this channel (a trigger, migration 0008); PostgreSQL
# delivers it when the inserting transaction commits, once per transaction.
OUTBOX_CHANNEL = "outbox"


class OutboxNotifications:
    """Listens on its own connection (LISTEN needs one that stays open outside the pool).

    A lost connection is opened again; meanwhile the relay polls, so a missed notification
    only costs one poll interval.
    """

    def __init__(
        self, url: URL, *, timeout_seconds: float = 5.0, max_backoff_seconds: float = 30.0
    ) -> None:
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._timeout = timeout_seconds
        self._max_backoff = max_backoff_seconds
        self.arrived = asyncio.Event()
        """Set by every notification; the relay clears it before it reads the outbox."""

    async def listen(self) -> None:
        """Run until cancelled."""
        backoff = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True, connect_timeout=max(1, int(self._timeout))
                ) as conn:
                    await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(OUTBOX_CHANNEL)))
                    # Whatever was committed while nobody listened is read at once.
                    self.arrived.set()
                    backoff = 0.5
                    async for _ in conn.notifies():
                        self.arrived.set()
            except (psycopg.Error, OSError) as error:
                log.warning(
                    "relay not notified of new events; polling meanwhile",
                    extra={"error": repr(error), "retry_in_s": backoff},
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)
