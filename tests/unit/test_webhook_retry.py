"""When a failed delivery is tried again: exponential backoff with jitter, within its window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.webhooks.retry import RetrySchedule

T0 = datetime(2026, 1, 1, tzinfo=UTC)
DEFAULTS = RetrySchedule(timedelta(seconds=10), timedelta(hours=1), timedelta(hours=24))


def test_each_wait_doubles_the_one_before_up_to_the_cap() -> None:
    middle = [DEFAULTS.delay(n, 0.5).total_seconds() for n in range(1, 12)]
    assert middle == [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]
    assert DEFAULTS.delay(1000, 0.5) == timedelta(hours=1)


def test_jitter_spreads_a_wait_by_a_fifth_either_way() -> None:
    assert DEFAULTS.delay(3, 0.0) == timedelta(seconds=32)
    assert DEFAULTS.delay(3, 0.999999).total_seconds() < 48
    assert DEFAULTS.delay(3, 0.999999).total_seconds() > 47.9


def test_attempts_go_on_until_the_delivery_is_a_day_old() -> None:
    now, attempts = T0, 0
    while True:
        attempts += 1
        at = DEFAULTS.next_attempt(T0, now, attempts, 0.5)
        if at is None:
            break
        assert at - now == DEFAULTS.delay(attempts, 0.5)
        now = at
    assert T0 + timedelta(hours=23) <= now <= T0 + timedelta(hours=24)
    assert 30 <= attempts <= 34, attempts


def test_a_short_schedule_as_the_tests_use_it() -> None:
    quick = RetrySchedule(timedelta(seconds=0.2), timedelta(seconds=1), timedelta(seconds=30))
    assert quick.delay(1, 0.5) == timedelta(seconds=0.2)
    assert quick.delay(10, 0.5) == timedelta(seconds=1)
    assert quick.next_attempt(T0, T0 + timedelta(seconds=29.5), 10, 0.5) is None
