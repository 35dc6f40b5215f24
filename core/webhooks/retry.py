"""When a delivery that failed is tried again: exponential backoff with jitter, for as long as
the delivery is younger than the retry window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class RetrySchedule:
    base: timedelta
    """The wait after the first failed attempt (WEBHOOK_RETRY_BASE_SECONDS)."""
    cap: timedelta
    """The longest wait between two attempts (WEBHOOK_RETRY_MAX_SECONDS)."""
    retry_for: timedelta
    """How long after its event a delivery is still tried (WEBHOOK_RETRY_FOR_SECONDS)."""

    def delay(self, attempts: int, jitter: float) -> timedelta:
        """The wait after `attempts` failed attempts: base * 2^(attempts - 1), at most `cap`,
        times a factor from 0.8 to 1.2 (`jitter`, from 0 to 1), so that the retries of many
        deliveries that failed together do not arrive together."""
        doubled = self.base.total_seconds() * 2.0 ** min(attempts - 1, 64)
        seconds = min(self.cap.total_seconds(), doubled)
        return timedelta(seconds=seconds * (0.8 + 0.4 * jitter))

    def next_attempt(
        self, created_at: datetime, now: datetime, attempts: int, jitter: float
    ) -> datetime | None:
        """When to try again after `attempts` failed attempts; None once that would be past the
        retry window: the delivery has failed."""
        at = now + self.delay(attempts, jitter)
        return at if at <= created_at + self.retry_for else None
