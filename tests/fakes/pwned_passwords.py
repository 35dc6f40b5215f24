"""A local stand-in for Have I Been Pwned's Pwned Passwords range API: GET /range/{5 hex}
answers `SUFFIX:COUNT` lines (CRLF, upper-case hex) for the breached passwords it holds under
that prefix, plus made-up suffixes of count 0 when asked with `Add-Padding: true`, as the real
one does. `mode` makes it misbehave: "slow" (answers after `slow_seconds`), "broken" (500),
"garbage" (200 with HTML). Every request's path and headers are recorded."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.fakes.http import serving_get


def sha1_hex(password: str) -> str:
    return hashlib.sha1(password.encode()).hexdigest().upper()


@dataclass
class FakePwnedPasswords:
    breached: dict[str, int] = field(default_factory=dict)
    """Password -> times seen."""
    padded: set[str] = field(default_factory=set)
    """Passwords whose suffix appears in the padding (count 0), as a real padded answer can."""
    mode: str = "normal"
    slow_seconds: float = 2.0
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def paths(self) -> list[str]:
        with self._lock:
            return [path for path, _ in self.requests]

    def respond(self, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        with self._lock:
            self.requests.append((path, headers))
        if self.mode == "slow":
            time.sleep(self.slow_seconds)
        if self.mode == "broken":
            return 500, b"internal error"
        if self.mode == "garbage":
            return 200, b"<html>Checking your browser before accessing</html>"
        prefix = path.removeprefix("/range/")
        if len(prefix) != 5 or any(c not in "0123456789ABCDEFabcdef" for c in prefix):
            return 400, b"The hash prefix was not in a valid format"
        lines = [
            f"{digest[5:]}:{count}"
            for password, count in self.breached.items()
            if (digest := sha1_hex(password))[:5] == prefix.upper()
        ]
        if headers.get("add-padding", "").lower() == "true":
            lines += [
                f"{digest[5:]}:0"
                for password in self.padded
                if (digest := sha1_hex(password))[:5] == prefix.upper()
            ]
            lines += [f"{secrets.token_hex(18)[:35].upper()}:0" for _ in range(20)]
        return 200, "\r\n".join(lines).encode()


@contextmanager
def serving(service: FakePwnedPasswords) -> Iterator[str]:
    with serving_get(service.respond, "text/plain") as base:
        yield f"{base}/range/"
