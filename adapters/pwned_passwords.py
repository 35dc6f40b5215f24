"""Have I Been Pwned's Pwned Passwords over its k-anonymity range API, and the null stand-in
used while the check is turned off.

Only the first five hex digits of the password's SHA-1 leave the process: the API answers with
every suffix it knows under that prefix, and the match is made here. With `Add-Padding: true`
the answer is padded with made-up suffixes of count 0, so that its size tells an eavesdropper
nothing either; those are ignored."""

from __future__ import annotations

import hashlib
import re

import httpx
from prometheus_client import Counter

from core.ports import BreachCheckUnavailable

CHECKS = Counter("pwned_password_checks_total", "Breached-password checks by outcome.", ["outcome"])
_LINE = re.compile(r"([0-9A-F]{35}):(\d+)")


class PwnedPasswordsRange:
    """GET {base_url}{first five hex digits of SHA-1, upper case} answering one
    `SUFFIX:COUNT` line per known hash with that prefix."""

    def __init__(self, client: httpx.AsyncClient, base_url: str) -> None:
        self._client = client
        self._url = base_url

    async def times_seen(self, password: str) -> int:
        # SHA-1 because the corpus is indexed by it; nothing is stored with it.
        digest = hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()
        prefix, suffix = digest[:5], digest[5:]
        try:
            response = await self._client.get(self._url + prefix, headers={"Add-Padding": "true"})
        except httpx.TimeoutException as error:
            raise self._unavailable("timeout", error) from error
        except httpx.HTTPError as error:
            raise self._unavailable("network", error) from error
        if response.status_code != 200:
            raise self._unavailable("status", response.status_code)
        try:
            count = _count_of(suffix, response.text)
        except ValueError as error:
            raise self._unavailable("bad_response", error) from error
        CHECKS.labels(outcome="breached" if count else "not_found").inc()
        return count

    @staticmethod
    def _unavailable(outcome: str, cause: object) -> BreachCheckUnavailable:
        CHECKS.labels(outcome=outcome).inc()
        return BreachCheckUnavailable(f"pwned passwords: {outcome} ({cause!r})")


def _count_of(suffix: str, body: str) -> int:
    """The count of `suffix` in a range answer (0 when absent, as for padding); ValueError
    when the answer is not a range answer at all."""
    count = 0
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    if not lines:
        raise ValueError("an empty answer (every range has entries)")
    for line in lines:
        match = _LINE.fullmatch(line.upper())
        if match is None:
            raise ValueError(f"not a SUFFIX:COUNT line: {line[:60]!r}")
        if match.group(1) == suffix:
            count = int(match.group(2))
    return count


class NullBreachedPasswords:
    """The check turned off: no password is known to be breached."""

    async def times_seen(self, password: str) -> int:
        return 0
