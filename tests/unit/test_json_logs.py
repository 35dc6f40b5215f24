"""The JSON log lines: their timestamps, made once per second, are those datetime would make."""

from __future__ import annotations

import json
import logging
import random
from datetime import UTC, datetime

from adapters.logs import JsonFormatter, request_id


def _record(created: float, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("api.access", logging.INFO, __file__, 1, "request", None, None)
    record.created = created
    record.__dict__.update(extra)
    return record


EDGES = [0.0, 1.0, 1.9994999, 1.9995, 1.9999994, 1.9999995, 1.9999996, 1_798_000_000.0005]


def test_the_timestamp_is_utc_to_the_millisecond_as_datetime_writes_it() -> None:
    randomly = random.Random(7)
    moments = EDGES + [randomly.uniform(0, 4e9) for _ in range(20_000)]
    wrong = []
    for created in moments:
        line = json.loads(JsonFormatter().format(_record(created)))
        expected = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
        if line["timestamp"] != expected:
            wrong.append((created, line["timestamp"], expected))
    assert not wrong, wrong[:5]


def test_one_formatter_keeps_the_time_of_each_line() -> None:
    formatter = JsonFormatter()
    times = sorted(random.Random(3).uniform(1.7e9, 1.7e9 + 5) for _ in range(200))
    for created in times + times[::-1]:
        line = json.loads(formatter.format(_record(created)))
        expected = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
        assert line["timestamp"] == expected


def test_a_line_carries_the_request_id_and_the_record_fields_in_order() -> None:
    token = request_id.set("req-1")
    try:
        line = JsonFormatter().format(_record(1.5, method="GET", path="/", status=200))
    finally:
        request_id.reset(token)
    assert list(json.loads(line)) == [
        "timestamp",
        "level",
        "logger",
        "event",
        "request_id",
        "method",
        "path",
        "status",
    ]
