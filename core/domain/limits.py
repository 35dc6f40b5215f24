"""Rate limits as the domain states them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `limit` events in any `window_seconds` long stretch of time."""

    limit: int
    window_seconds: int

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """'100/60' is 100 per 60 seconds."""
        limit, _, window = text.partition("/")
        parsed = cls(int(limit), int(window))
        if parsed.limit < 0 or parsed.window_seconds <= 0:
            raise ValueError(f"Not a rate limit: {text!r} (expected LIMIT/SECONDS)")
        return parsed
