"""How the mailer treats each Kafka record: parse, send once, retry, or set aside in the DLQ."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import orjson
from prometheus_client import Counter

from adapters.logs import request_id
from core.domain import MailServerUnavailable, Unavailable
from core.events import UserEvent
from core.mail.lifecycle import NoMailForEvent, SendLifecycleMailHandler

log = logging.getLogger("actors.mailer")

PROCESSED = Counter("mail_events_processed_total", "Events whose mail was sent.")
DUPLICATES = Counter("mail_events_duplicate_total", "Redelivered events that sent nothing.")
FAILED = Counter("mail_send_failures_total", "Failed attempts to send an event's mail.")
DEAD_LETTERS = Counter("mail_events_dead_lettered_total", "Events sent to the DLQ.", ["reason"])

# (raw value, key, error) -> publish to the dead-letter topic
DeadLetter = Callable[[bytes, bytes | None, str], Awaitable[None]]


@dataclass
class MailDelivery:
    """At-least-once delivery of one record, made exactly-once by the processed-events record.

    - A record that is not a lifecycle event, or an event type with no mail, goes to the DLQ
      at once.
    - While the mail server or the database cannot be reached, the same event is retried
      with capped exponential backoff for as long as it takes: an outage is nobody's fault,
      and the offset is only committed once the mail went out.
    - An event that keeps failing on its own (refused by the server, or a bug) goes to the
      DLQ after `max_attempts`, and the consumer moves on.
    """

    send: SendLifecycleMailHandler
    dead_letter: DeadLetter
    max_attempts: int = 5
    retry_seconds: float = 0.5
    max_backoff_seconds: float = 30.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def __call__(self, raw: bytes, key: bytes | None = None) -> None:
        try:
            event = UserEvent.from_json(orjson.loads(raw))
        except (ValueError, KeyError, TypeError) as error:
            log.error("unparseable record sent to the DLQ", extra={"error": repr(error)})
            DEAD_LETTERS.labels(reason="unparseable").inc()
            await self.dead_letter(raw, key, f"unparseable: {error!r}")
            return
        token = request_id.set(event.request_id)
        try:
            await self._deliver(event, raw, key)
        finally:
            request_id.reset(token)

    async def _deliver(self, event: UserEvent, raw: bytes, key: bytes | None) -> None:
        failures = 0
        sent: set[str] = set()  # Message-IDs accepted by SMTP during this delivery
        outage_wait = self.retry_seconds
        extra = {"event_id": str(event.id), "type": event.type}
        while True:
            try:
                if await self.send(event, sent):
                    PROCESSED.inc()
                    log.info("mail sent", extra=extra)
                else:
                    DUPLICATES.inc()
                    log.info("event already handled; nothing sent", extra=extra)
                return
            except (MailServerUnavailable, Unavailable) as error:
                FAILED.inc()
                log.warning(
                    "mail delayed: a dependency is down",
                    extra={**extra, "error": error.detail, "retry_in_s": outage_wait},
                )
                await self.sleep(outage_wait)
                outage_wait = min(outage_wait * 2, self.max_backoff_seconds)
            except NoMailForEvent as error:
                log.error(
                    "event with no mail sent to the DLQ", extra={**extra, "error": repr(error)}
                )
                DEAD_LETTERS.labels(reason="no_mail").inc()
                await self.dead_letter(raw, key, repr(error))
                return
            except Exception as error:
                FAILED.inc()
                failures += 1
                if failures >= self.max_attempts:
                    log.error(
                        "event sent to the DLQ after repeated failures",
                        extra={**extra, "error": repr(error), "attempts": failures},
                    )
                    DEAD_LETTERS.labels(reason="failed").inc()
                    await self.dead_letter(raw, key, repr(error))
                    return
                wait = min(self.retry_seconds * 2 ** (failures - 1), self.max_backoff_seconds)
                log.warning(
                    "mail failed; retrying",
                    extra={**extra, "error": repr(error), "attempt": failures, "retry_in_s": wait},
                )
                await self.sleep(wait)
