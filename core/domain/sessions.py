"""Sessions: each sign-in, as its owner sees and ends it. A session is a refresh-token family:
it has the family's id, begins with the family's first token and ends when the family is
revoked (sign-out, ended from another session, a password change, a detected reuse)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.domain.tokens import RefreshToken

LAST_USED_RESOLUTION = timedelta(seconds=60)
"""How stale `last_used_at` may be: a use within a minute of the stored time writes nothing,
so refreshing (or a page view) most of the time only reads."""

NEW_DEVICE_WINDOW = timedelta(days=90)
"""A sign-in from a device and network none of the account's sessions used within this long is
news to its owner; sessions are kept this long after their last use to tell."""

SESSION_ENDED = "This session has ended. Sign in again."


@dataclass(frozen=True, slots=True)
class Session:
    """One sign-in of a user: when it began and was last used, from where (the client's address,
    its network as the lockout judges it, a device name read from the User-Agent), how it
    signed in (`amr`, RFC 8176), and when it ended (None while it lasts)."""

    id: uuid.UUID
    """The id of its refresh-token family; access tokens carry it as `sid`."""
    user_id: uuid.UUID
    created_at: datetime
    last_used_at: datetime
    ip: str | None
    network: str | None
    """The IPv4 address or the IPv6 /64 of `ip` (see core.lockout.client_network)."""
    device: str | None
    amr: tuple[str, ...]
    provider: str | None = None
    """The provider a sign-in with `amr` ["ext"] went through (the family's `provider`); None
    for every other sign-in."""
    ended_at: datetime | None = None

    @classmethod
    def begin(
        cls, token: RefreshToken, *, ip: str | None, network: str | None, device: str | None
    ) -> Session:
        """The session the family of `token`, its first token, begins."""
        return cls(
            id=token.family_id,
            user_id=token.user_id,
            created_at=token.auth_time,
            last_used_at=token.auth_time,
            ip=ip,
            network=network,
            device=device,
            amr=token.amr,
            provider=token.provider,
        )


@dataclass(frozen=True, slots=True)
class PriorSignIns:
    """What an account's stored sessions say about a new sign-in's client."""

    any: bool
    """Whether the account has any session stored (ended or not) besides the new one."""
    from_this_device: bool
    """Whether one of them, used within NEW_DEVICE_WINDOW, had the same device and network."""
