"""Screening an address with the email reputation service, at sign-up and on an email change."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core.domain import InvalidInput
from core.ports import EmailCheckMisconfigured, EmailCheckUnavailable, EmailReputation, Verdict

log = logging.getLogger("core.email_reputation")

STATUS_OF_VERDICT: dict[Verdict, str] = {
    "deliverable": "verified_ok",
    "undeliverable": "rejected",
    "disposable": "rejected",
    "invalid_format": "rejected",
    "unknown": "unknown",
    "unchecked": "unchecked",
}

_REFUSALS: dict[Verdict, str] = {
    "undeliverable": "This address cannot receive mail.",
    "disposable": "Disposable addresses are not accepted.",
    "invalid_format": "This is not a valid address.",
}


@dataclass(frozen=True, slots=True)
class Screening:
    status: str
    """The email_status to store."""
    retry_in_background: bool
    """True when the check failed for a passing reason and a job should try again."""


@dataclass(frozen=True, slots=True)
class EmailScreen:
    """One synchronous try. A refused address raises InvalidInput (422, nothing stored); a
    service that fails leaves the address pending; a misconfigured service (bad API key) is
    an operator's problem: logged, and not retried in a hot loop (housekeeping tries later)."""

    reputation: EmailReputation

    async def __call__(self, email: str) -> Screening:
        try:
            verdict = await self.reputation.check(email)
        except EmailCheckMisconfigured as error:
            log.error("email check misconfigured", extra={"error": error.detail})
            return Screening("pending", retry_in_background=False)
        except EmailCheckUnavailable as error:
            log.warning("email check unavailable; will retry", extra={"error": error.detail})
            return Screening("pending", retry_in_background=True)
        if verdict in _REFUSALS:
            raise InvalidInput({"email": [_REFUSALS[verdict]]})
        return Screening(STATUS_OF_VERDICT[verdict], retry_in_background=False)
