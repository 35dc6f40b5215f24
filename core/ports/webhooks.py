"""Ports of webhooks: the endpoints and their deliveries in the database, the receivers over
HTTP, the key their secrets are sealed with, the queue of attempts, and the name lookup that
tells where a URL points."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Protocol

from core.domain import DomainError
from core.domain.webhooks import (
    AttemptOutcome,
    DeliveryJob,
    PublishedEvent,
    WebhookDelivery,
    WebhookEndpoint,
)


class WebhookEndpoints(Protocol):
    """The registered endpoints, inside a unit of work (with the audit trail and the outbox of
    the administrator's change)."""

    async def add(self, endpoint: WebhookEndpoint) -> None: ...

    async def get(self, endpoint_id: uuid.UUID) -> WebhookEndpoint | None: ...

    async def get_for_update(self, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
        """The endpoint, locked until the transaction ends."""
        ...

    async def save(self, endpoint: WebhookEndpoint) -> None: ...

    async def delete(self, endpoint_id: uuid.UUID) -> None:
        """Delete the endpoint, and with it its deliveries (pending ones are not tried again)."""
        ...

    async def all(self) -> list[WebhookEndpoint]:
        """Every endpoint, the oldest first."""
        ...


class WebhookDeliveries(Protocol):
    """Deliveries, each call a short transaction of its own: the consumer records them, the
    worker claims and settles them, administrators read them, housekeeping prunes them."""

    async def fan_out(self, event: PublishedEvent, now: datetime) -> list[uuid.UUID]:
        """A pending delivery of `event`, due `now`, to every active endpoint subscribed to its
        type and registered by the time it occurred, unless the endpoint has one of this event
        already (a record read twice adds nothing); returns the ids of the new deliveries."""
        ...

    async def claim(
        self, delivery_id: uuid.UUID, now: datetime, until: datetime
    ) -> DeliveryJob | None:
        """The delivery, if it is pending and due by `now`, marked due only at `until` so that a
        second message for it meanwhile finds it not due; None otherwise (delivered, failed,
        gone with its endpoint, or not due yet)."""
        ...

    async def settle(self, outcome: AttemptOutcome) -> None:
        """Store what became of an attempt; with `endpoint_gone`, the endpoint stops receiving
        (inactive, with the reason) in the same transaction."""
        ...

    async def page(
        self, endpoint_id: uuid.UUID, limit: int, before: tuple[datetime, uuid.UUID] | None
    ) -> list[WebhookDelivery]:
        """At most `limit` of the endpoint's deliveries, newest first in the order of
        (created_at, id); with `before`, only those after that position (older ones)."""
        ...

    async def claim_overdue(self, before: datetime, now: datetime, limit: int) -> list[uuid.UUID]:
        """Pending deliveries that were due before `before` and are still waiting (their
        message was lost), made due at `now`; returns their ids."""
        ...

    async def prune(self, before: datetime) -> int:
        """Delete the delivered and failed deliveries created before `before`; returns how many."""
        ...


class WebhookUnreachable(DomainError):
    """No answer came from the receiver: refused, timed out, a broken TLS handshake, or an
    address webhooks may not go to. `detail` says which, and holds no header of the request."""


class WebhookSender(Protocol):
    """POSTs to receivers. Redirects are not followed (a 3xx is an answer like any other)."""

    async def post(self, url: str, headers: Mapping[str, str], body: bytes) -> int:
        """The HTTP status of the receiver's answer; raises WebhookUnreachable when none came."""
        ...


class WebhookQueue(Protocol):
    """Attempts handed to the worker. Best effort: the pending delivery in the database is the
    record, and housekeeping enqueues again what was lost."""

    async def deliver_later(
        self, delivery_id: uuid.UUID, delay: timedelta = timedelta()
    ) -> None: ...


class WebhookSecretBox(Protocol):
    """Seals endpoints' signing secrets for storage, with a key kept outside the database: a
    copy of the database signs nothing. A sealed secret opens only for its endpoint."""

    def seal(self, endpoint_id: uuid.UUID, secret: str) -> bytes: ...

    def open(self, endpoint_id: uuid.UUID, sealed: bytes) -> str | None:
        """The secret; None when it does not open (another key, another endpoint, altered)."""
        ...


class HostResolver(Protocol):
    """Looks host names up, as a connection to them would."""

    async def addresses(self, host: str) -> list[str]:
        """The IP addresses of `host` (an IP address is its own); empty when it has none."""
        ...
