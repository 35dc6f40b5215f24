"""Security events: what happened to an account's credentials and sign-ins, as its owner reads
them in the audit trail (GET /api/v1/users/security-events)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, get_args

from core.audit.device import device_name

# A new kind of event is one more name here, and a call that records it where it happens: the
# table stores the type as text (no migration), and the API lists whatever is stored. Named
# subject.what_happened, grouped by subject.
SecurityEventType = Literal[
    # Signing in (and the password re-entered for a sensitive change)
    "sign_in.succeeded",
    "sign_in.failed",
    "account.locked",
    # The password
    "password.changed",
    "password.reset",
    # Two-step sign-in
    "second_factor.added",
    "second_factor.removed",
    "recovery_code.used",
    # The account's address
    "email_change.requested",
    "email_change.confirmed",
    "email_change.cancelled",
    "email_change.reverted",
    # Sessions
    "session.ended",
    "refresh_token.reuse_detected",
    # The account
    "account.deleted",
    # What an administrator (or an operator with `ops/admin`) did to the account
    "admin.disable",
    "admin.enable",
    "admin.sessions.end",
    "admin.password_reset",
    "admin.delete",
    "admin.role_granted",
    "admin.role_revoked",
]
SECURITY_EVENT_TYPES: tuple[SecurityEventType, ...] = get_args(SecurityEventType)

Detail = str | int | bool | None | list[str]
"""What a detail may hold: plain values the owner may read. Never a password, a token or a
code, nor anything derived from one (a hash, a token id)."""


class Client(Protocol):
    """What a command knows of the client that sent it (the API and the pages fill both from
    the request: the address as RequestContext worked it out, and the User-Agent header)."""

    @property
    def client_ip(self) -> str | None: ...

    @property
    def user_agent(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class SecurityEvent:
    """One entry of a user's audit trail, recorded in the transaction of what it records."""

    type: SecurityEventType
    user_id: uuid.UUID
    at: datetime
    ip: str | None = None
    """The client's address (behind trusted proxies, the one they name); None when no client
    caused it (housekeeping)."""
    device: str | None = None
    """A readable name of the client's device, from its User-Agent (see device_name)."""
    details: Mapping[str, Detail] = field(default_factory=dict)
    id: uuid.UUID = field(default_factory=uuid.uuid4)

    @classmethod
    def of(
        cls,
        type: SecurityEventType,
        user_id: uuid.UUID,
        at: datetime,
        client: Client | None,
        **details: Detail,
    ) -> SecurityEvent:
        """An event `client` caused (None: the service itself did). Of its User-Agent only the
        device name read from it is kept."""
        if client is None:
            return cls(type, user_id, at, details=details)
        return cls(type, user_id, at, client.client_ip, device_name(client.user_agent), details)
