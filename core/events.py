"""Lifecycle events of a user, recorded in the same transaction as the change they describe."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from core.domain import User

EventType = Literal[
    "user.created",
    "user.updated",
    "user.deleted",
    "user.verification_requested",
    "user.password_reset_requested",
]
EVENT_TYPES: tuple[EventType, ...] = (
    "user.created",
    "user.updated",
    "user.deleted",
    "user.verification_requested",
    "user.password_reset_requested",
)
# Events that carry the secret of a single-use token to be mailed.
TOKEN_EVENT_TYPES: tuple[EventType, ...] = (
    "user.verification_requested",
    "user.password_reset_requested",
)

# Stored names of changed fields -> names the outside world sees. The hash never leaves.
_PUBLIC_FIELD = {"username": "username", "email": "email", "password_hash": "password"}


@dataclass(frozen=True, slots=True)
class UserEvent:
    type: EventType
    user_id: uuid.UUID
    email: str
    username: str
    occurred_at: datetime
    changed: tuple[str, ...] = ()
    """For user.updated: which fields changed ("password" names the fact, never the value)."""
    previous_email: str | None = None
    """For user.updated with a new email: the old address, which is told of the change too."""
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    request_id: str | None = None
    token: str | None = field(default=None, repr=False)
    """For user.verification_requested and user.password_reset_requested: the raw secret of
    the single-use token, which only the mail may carry to the user (the database keeps its
    hash). It lives in the outbox row until housekeeping prunes published rows, and in Kafka
    for the topic's retention; never log an event's payload. Not in repr, for that reason."""

    @classmethod
    def created(cls, user: User) -> UserEvent:
        return cls("user.created", user.id, user.email, user.username, user.created_at)

    @classmethod
    def updated(cls, before: User, after: User) -> UserEvent:
        changed = tuple(sorted(_PUBLIC_FIELD[name] for name in after.changed))
        return cls(
            "user.updated",
            after.id,
            after.email,
            after.username,
            after.updated_at,
            changed=changed,
            previous_email=before.email if "email" in after.changed else None,
        )

    @classmethod
    def deleted(cls, user: User, now: datetime) -> UserEvent:
        return cls("user.deleted", user.id, user.email, user.username, now)

    @classmethod
    def verification_requested(cls, user: User, token: str, now: datetime) -> UserEvent:
        return cls(
            "user.verification_requested", user.id, user.email, user.username, now, token=token
        )

    @classmethod
    def password_reset_requested(cls, user: User, token: str, now: datetime) -> UserEvent:
        return cls(
            "user.password_reset_requested", user.id, user.email, user.username, now, token=token
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "event_id": str(self.id),
            "type": self.type,
            "occurred_at": self.occurred_at.isoformat(),
            "user_id": str(self.user_id),
            "email": self.email,
            "username": self.username,
            "changed": list(self.changed),
            "previous_email": self.previous_email,
            "request_id": self.request_id,
        }
        if self.token is not None:
            data["token"] = self.token
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UserEvent:
        """Raises ValueError, KeyError or TypeError when `data` is not such an event."""
        if data["type"] not in EVENT_TYPES:
            raise ValueError(f"unknown event type {data['type']!r}")
        changed = data.get("changed") or []
        if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
            raise TypeError("changed must be a list of field names")
        for name in ("email", "username"):
            if not isinstance(data[name], str):
                raise TypeError(f"{name} must be a string")
        token = data.get("token")
        if data["type"] in TOKEN_EVENT_TYPES and not isinstance(token, str):
            raise TypeError("a token event must carry its token")
        return cls(
            type=data["type"],
            user_id=uuid.UUID(data["user_id"]),
            email=data["email"],
            username=data["username"],
            occurred_at=datetime.fromisoformat(data["occurred_at"]),
            changed=tuple(changed),
            previous_email=data.get("previous_email"),
            id=uuid.UUID(data["event_id"]),
            request_id=data.get("request_id"),
            token=token if isinstance(token, str) else None,
        )
