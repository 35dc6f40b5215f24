"""A library's reconnect loop logs with backoff, not a line per attempt."""

from __future__ import annotations

import logging

from adapters.logs import RetryLoopFilter


def _record(name: str, message: str, at: float) -> logging.LogRecord:
    record = logging.LogRecord(name, logging.ERROR, __file__, 1, message, None, None)
    record.created = at
    return record


def test_a_streak_is_thinned_out_with_growing_gaps_and_counts_what_it_left_out() -> None:
    quiet = RetryLoopFilter("lib.consumer", ("connection error",))
    records = [
        _record("lib.consumer.Thread", "connection error: refused", at) for at in range(0, 120, 3)
    ]
    passed = [record for record in records if quiet.filter(record)]
    assert [int(r.created) for r in passed] == [0, 12, 33, 75]
    assert [getattr(r, "left_out", 0) for r in passed] == [0, 3, 6, 13]


def test_other_lines_and_a_new_streak_after_a_quiet_minute_pass() -> None:
    quiet = RetryLoopFilter("lib.consumer", ("connection error",))
    assert quiet.filter(_record("lib.consumer.T", "connection error", 0))
    assert not quiet.filter(_record("lib.consumer.T", "connection error", 3))
    assert quiet.filter(_record("lib.consumer.T", "processed a message", 4))
    assert quiet.filter(_record("other", "connection error", 5))
    assert quiet.filter(_record("lib.consumer.T", "connection error", 70))
