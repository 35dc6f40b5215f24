"""Webhooks: endpoints administrators register for account events, and the deliveries of each
event to each endpoint subscribed to its type."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, get_args
from urllib.parse import urlsplit

DeliveryStatus = Literal["pending", "delivered", "failed"]
DELIVERY_STATUSES: tuple[DeliveryStatus, ...] = get_args(DeliveryStatus)

EndpointField = Literal["url", "event_types", "active", "secret"]

GONE = "The receiver answered 410 Gone: it wants no more deliveries."
DEACTIVATED = "An administrator deactivated it."


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    """Where the events of `event_types` are POSTed, signed with a secret only the receiver
    and this service know (stored sealed: `sealed_secret` opens only with the key file)."""

    id: uuid.UUID
    url: str
    event_types: tuple[str, ...]
    active: bool
    sealed_secret: bytes
    created_at: datetime
    updated_at: datetime
    created_by: uuid.UUID | None = None
    """The administrator who registered it."""
    deactivated_at: datetime | None = None
    deactivated_reason: str | None = None
    """Why it stopped receiving: the receiver answered 410 (GONE), or an administrator said so."""

    @property
    def host(self) -> str:
        """The host of the URL: what the audit trail and other services are told of it (the
        rest of a URL may carry a token of the receiver's)."""
        return urlsplit(self.url).hostname or ""

    def changed(
        self,
        now: datetime,
        *,
        url: str | None = None,
        event_types: tuple[str, ...] | None = None,
        active: bool | None = None,
    ) -> tuple[WebhookEndpoint, list[EndpointField]]:
        """The endpoint with these values (None: as it is), and the names of those that differ.
        Turned on again, it forgets why it was off."""
        names: list[EndpointField] = []
        after = self
        if url is not None and url != self.url:
            after, names = replace(after, url=url), [*names, "url"]
        if event_types is not None and set(event_types) != set(self.event_types):
            after, names = replace(after, event_types=event_types), [*names, "event_types"]
        if active is not None and active != self.active:
            after = replace(
                after,
                active=active,
                deactivated_at=None if active else now,
                deactivated_reason=None if active else DEACTIVATED,
            )
            names.append("active")
        return (replace(after, updated_at=now) if names else self), names


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One event on its way to one endpoint: tried until the receiver answers 2xx, answers
    410, or the delivery is too old to try again (WEBHOOK_RETRY_FOR_SECONDS)."""

    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    last_status: int | None = None
    """The HTTP status of the last answer; None when no answer came (or no attempt yet)."""
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    """A pending delivery claimed for an attempt, with what the attempt needs of its endpoint."""

    delivery: WebhookDelivery
    body: bytes
    """The event exactly as it was published on the public topic."""
    url: str
    active: bool
    sealed_secret: bytes


@dataclass(frozen=True, slots=True)
class PublishedEvent:
    """An account event as the public topic carries it."""

    event_id: uuid.UUID
    type: str
    occurred_at: datetime
    body: bytes


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    """What became of a delivery attempt, as it is stored: the delivery's new state, and
    whether the endpoint is to stop receiving (the receiver answered 410)."""

    delivery_id: uuid.UUID
    endpoint_id: uuid.UUID
    at: datetime
    status: DeliveryStatus
    attempts: int
    last_status: int | None
    last_error: str | None
    next_attempt_at: datetime | None = None
    endpoint_gone: bool = False
