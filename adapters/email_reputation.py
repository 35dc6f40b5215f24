"""The email reputation service over HTTP (AbstractAPI's email validation API), and the null
stand-in used while the check is turned off."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from prometheus_client import Counter

from core.ports import EmailCheckMisconfigured, EmailCheckUnavailable, Verdict

log = logging.getLogger("adapters.email_reputation")

CHECKS = Counter("email_checks_total", "Email reputation checks by outcome.", ["outcome"])


class AbstractApiEmailReputation:
    """GET {base_url}?api_key=...&email=... answering
    {"deliverability": "DELIVERABLE"|"UNDELIVERABLE"|"RISKY"|"UNKNOWN",
     "is_valid_format": {"value": bool}, "is_disposable_email": {"value": bool}, ...}."""

    def __init__(self, client: httpx.AsyncClient, base_url: str, api_key: str) -> None:
        self._client = client
        self._url = base_url
        self._key = api_key

    async def check(self, email: str) -> Verdict:
        try:
            response = await self._client.get(
                self._url, params={"api_key": self._key, "email": email}
            )
        except httpx.TimeoutException as error:
            raise self._unavailable("timeout", error) from error
        except httpx.HTTPError as error:
            raise self._unavailable("network", error) from error
        if response.status_code in (401, 403):
            CHECKS.labels(outcome="misconfigured").inc()
            raise EmailCheckMisconfigured(
                f"the email reputation service refused the API key ({response.status_code})"
            )
        if response.status_code == 429:
            raise self._unavailable("quota", response.status_code)
        if response.status_code != 200:
            raise self._unavailable("status", response.status_code)
        try:
            verdict = _verdict(response.json())
        except (ValueError, KeyError, TypeError) as error:
            raise self._unavailable("bad_response", error) from error
        CHECKS.labels(outcome=verdict).inc()
        return verdict

    @staticmethod
    def _unavailable(outcome: str, cause: object) -> EmailCheckUnavailable:
        CHECKS.labels(outcome=outcome).inc()
        return EmailCheckUnavailable(f"email reputation service: {outcome} ({cause!r})")


def _verdict(body: Any) -> Verdict:
    if not isinstance(body, dict):
        raise TypeError("the answer is not a JSON object")
    if body["is_valid_format"]["value"] is False:
        return "invalid_format"
    if body["is_disposable_email"]["value"] is True:
        return "disposable"
    deliverability = body["deliverability"]
    if deliverability == "DELIVERABLE":
        return "deliverable"
    if deliverability == "UNDELIVERABLE":
        return "undeliverable"
    if deliverability in ("RISKY", "UNKNOWN"):
        return "unknown"
    raise ValueError(f"unexpected deliverability {deliverability!r}")


class NullEmailReputation:
    """The check turned off: every address is left `unchecked`."""

    async def check(self, email: str) -> Verdict:
        return "unchecked"
