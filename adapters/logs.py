"""JSON logs: one object per line on stdout, carrying the request id of the current context."""

from __future__ import annotations

import logging
import sys
import time
from contextvars import ContextVar
from typing import TextIO

import orjson

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class RetryLoopFilter(logging.Filter):
    """Thins out the lines a library's reconnect loop writes on every attempt: the first line of
    a streak passes, then one after 10 s, 20 s, 40 s... (at most every `max_gap` s) with the
    number of lines left out; a streak ends after `quiet` s without such a line."""

    def __init__(
        self, loggers: str, messages: tuple[str, ...], max_gap: float = 300, quiet: float = 60
    ) -> None:
        super().__init__()
        self._loggers = loggers
        self._messages = messages
        self._max_gap = max_gap
        self._quiet = quiet
        self._streaks: dict[
            str, list[float]
        ] = {}  # key -> [last seen, next allowed, gap, left out]

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(self._loggers):
            return True
        message = record.getMessage()
        prefix = next((m for m in self._messages if message.startswith(m)), None)
        if prefix is None:
            return True
        key = f"{record.name}:{prefix}"
        now = record.created
        streak = self._streaks.get(key)
        if streak is None or now - streak[0] > self._quiet:
            self._streaks[key] = [now, now + 10, 10, 0]
            return True
        streak[0] = now
        if now < streak[1]:
            streak[3] += 1
            return False
        record.left_out = int(streak[3])
        streak[2] = min(streak[2] * 2, self._max_gap)
        streak[1] = now + streak[2]
        streak[3] = 0
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record. Every request writes one (the access log), so the
    timestamp's date and time are made once per second rather than for every line."""

    def __init__(self) -> None:
        super().__init__()
        self._second = -1
        self._second_text = ""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "timestamp": self._timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        rid = request_id.get()
        if rid is not None:
            entry["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()

    def _timestamp(self, created: float) -> str:
        """UTC, to the millisecond: datetime.fromtimestamp(created, UTC).isoformat(
        timespec="milliseconds"), rounding the microseconds as datetime does."""
        second = int(created)
        micro = round((created - second) * 1e6)
        if micro >= 1_000_000:
            second, micro = second + 1, micro - 1_000_000
        if second != self._second:
            self._second = second
            self._second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._second_text}.{micro // 1000:03d}+00:00"


def configure_logging(level: str = "INFO", json: bool = True, stream: TextIO | None = None) -> None:
    """Every process logs to stdout; a command line whose output is its answer, to stderr."""
    handler = logging.StreamHandler(stream or sys.stdout)
    if json:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Neither format writes the thread or process of a record: not looking them up saves a
    # tenth of an access-log line (the logging HOWTO's "Optimization").
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    # uvicorn installs its own handlers before it loads the app; route them through ours.
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # aiokafka logs every failed reconnect as an error, ten times a second while Kafka is down;
    # the relay and the consumer log the outage themselves, once per retry.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    # httpx logs every request's full URL at INFO: the reputation service's carries the API key
    # and the address being checked. Our adapters log what matters, without either.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # The API writes its own access log, with the request id and duration.
    logging.getLogger("uvicorn.access").disabled = True
    # Dramatiq's consumer threads log two lines every 3 s while the broker is away.
    handler.addFilter(
        RetryLoopFilter(
            "dramatiq.worker.ConsumerThread",
            ("Consumer encountered a connection error", "Restarting consumer in"),
        )
    )
