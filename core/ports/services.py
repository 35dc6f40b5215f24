"""Ports of the services outside the database: the clock, mail, the email reputation
service, and background jobs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from core.domain import DomainError


class Clock(Protocol):
    def now(self) -> datetime: ...


class EmailCheckUnavailable(DomainError):
    """The reputation service failed for a passing reason; try again later."""


class EmailCheckMisconfigured(DomainError):
    """The reputation service refused our credentials: an operator must fix the settings."""


@dataclass(frozen=True, slots=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    message_id: str
    """Stable per event and recipient, so a resent mail can be recognised as the same."""


class MailSender(Protocol):
    """Delivers mail to an SMTP server.

    Raises MailServerUnavailable when the server cannot be reached (nothing is wrong with the
    mail: try again later) and MailRejected when the server refuses this mail.
    """

    async def send(self, mail: Mail) -> None: ...


Verdict = Literal[
    "deliverable", "undeliverable", "disposable", "invalid_format", "unknown", "unchecked"
]


class EmailReputation(Protocol):
    """An email reputation service.

    Raises EmailCheckUnavailable when it fails for a passing reason (timeout, network, quota,
    5xx, an answer that is not what it documents) and EmailCheckMisconfigured when it refuses
    our credentials.
    """

    async def check(self, email: str) -> Verdict: ...


class BackgroundJobs(Protocol):
    """Work handed to the worker. Enqueueing is best effort: state in the database is the
    record, and housekeeping enqueues again what was lost."""

    async def check_email_reputation_later(self, user_id: uuid.UUID) -> None: ...
