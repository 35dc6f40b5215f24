"""Lifecycle events of a user, recorded in the same transaction as the change they describe."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

from core.domain import ActionToken, User

EventType = Literal[
    "user.created",
    "user.updated",
    "user.deleted",
    "user.verification_requested",
    "user.password_reset_requested",
    "user.email_change_requested",
    "user.email_changed",
    "user.email_change_cancelled",
    "user.passkey_added",
    "user.passkey_removed",
    "user.locked_out",
    "user.refresh_token_reused",
    "user.mfa_enabled",
    "user.mfa_disabled",
    "user.recovery_code_used",
    "user.new_sign_in",
]
EVENT_TYPES: tuple[EventType, ...] = get_args(EventType)
# Events whose mail carries a single-use token (as its id: see UserEvent.token_id).
TOKEN_EVENT_TYPES: tuple[EventType, ...] = (
    "user.verification_requested",
    "user.password_reset_requested",
    "user.email_change_requested",
    "user.email_changed",
)

# Security notices: a mail to the account's address that something happened it should know of.
NOTICE_EVENT_TYPES: tuple[EventType, ...] = (
    "user.locked_out",
    "user.refresh_token_reused",
    "user.new_sign_in",
)

# Stored names of changed fields -> names the outside world sees. The hash never leaves, and
# a pending address is no change of the account until it is confirmed.
_PUBLIC_FIELD = {"username": "username", "email": "email", "password_hash": "password"}


@dataclass(frozen=True, slots=True)
class UserEvent:
    type: EventType
    user_id: uuid.UUID
    email: str
    """The address the event's mail goes to."""
    username: str
    occurred_at: datetime
    changed: tuple[str, ...] = ()
    """For user.updated: which fields changed ("password" names the fact, never the value)."""
    previous_email: str | None = None
    """For user.updated with a new email: the address the account had before."""
    new_email: str | None = None
    """For the email change events: the address asked for (or moved to)."""
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    request_id: str | None = None
    token_id: uuid.UUID | None = None
    """For token events: the id of the single-use token the mail carries. The secret itself is
    never in an event: the mailer derives it from the id with a key that only the web and mail
    processes hold, so a copy of the outbox or of the topic opens no account."""
    recovery_codes_left: int | None = None
    """For user.recovery_code_used: how many unused recovery codes the account has now. No
    event ever carries a code or a TOTP secret."""
    device: str | None = None
    """For user.new_sign_in: the device name read from the sign-in's User-Agent."""
    ip: str | None = None
    """For user.new_sign_in: the address the sign-in came from."""

    @classmethod
    def created(cls, user: User) -> UserEvent:
        return cls("user.created", user.id, user.email, user.username, user.created_at)

    @classmethod
    def updated(cls, before: User, after: User) -> UserEvent | None:
        """None when nothing the outside world sees changed (a pending address, say)."""
        changed = tuple(sorted(_PUBLIC_FIELD[n] for n in after.changed if n in _PUBLIC_FIELD))
        if not changed:
            return None
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
    def token_mailed(
        cls, type: EventType, user: User, token: ActionToken, now: datetime, **more: Any
    ) -> UserEvent:
        """An event whose mail carries `token` to the address it was issued for."""
        assert type in TOKEN_EVENT_TYPES
        return cls(type, user.id, token.email, user.username, now, token_id=token.id, **more)

    @classmethod
    def email_change_cancelled(cls, user: User, cancelled: str, now: datetime) -> UserEvent:
        return cls(
            "user.email_change_cancelled",
            user.id,
            user.email,
            user.username,
            now,
            new_email=cancelled,
        )

    @classmethod
    def passkey_added(cls, user: User, now: datetime) -> UserEvent:
        return cls("user.passkey_added", user.id, user.email, user.username, now)

    @classmethod
    def passkey_removed(cls, user: User, now: datetime) -> UserEvent:
        return cls("user.passkey_removed", user.id, user.email, user.username, now)

    @classmethod
    def notice(cls, type: EventType, user: User, now: datetime) -> UserEvent:
        """A security notice to the account's address (one of NOTICE_EVENT_TYPES)."""
        assert type in NOTICE_EVENT_TYPES
        return cls(type, user.id, user.email, user.username, now)

    @classmethod
    def new_sign_in(
        cls, user: User, now: datetime, device: str | None, ip: str | None
    ) -> UserEvent:
        """A sign-in from a device and network none of the account's sessions used lately."""
        return cls(
            "user.new_sign_in", user.id, user.email, user.username, now, device=device, ip=ip
        )

    @classmethod
    def second_factor(
        cls, type: EventType, user: User, now: datetime, recovery_codes_left: int | None = None
    ) -> UserEvent:
        """Two-step sign-in turned on or off, or a recovery code used."""
        assert type in ("user.mfa_enabled", "user.mfa_disabled", "user.recovery_code_used")
        return cls(
            type,
            user.id,
            user.email,
            user.username,
            now,
            recovery_codes_left=recovery_codes_left,
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
        if self.new_email is not None:
            data["new_email"] = self.new_email
        if self.token_id is not None:
            data["token_id"] = str(self.token_id)
        if self.recovery_codes_left is not None:
            data["recovery_codes_left"] = self.recovery_codes_left
        if self.type == "user.new_sign_in":
            data["device"] = self.device
            data["ip"] = self.ip
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
        token_id = data.get("token_id")
        if data["type"] in TOKEN_EVENT_TYPES and not isinstance(token_id, str):
            raise TypeError("a token event must carry its token id")
        codes_left = data.get("recovery_codes_left")
        if codes_left is not None and type(codes_left) is not int:
            raise TypeError("recovery_codes_left must be a number")
        for name in ("device", "ip"):
            if data.get(name) is not None and not isinstance(data[name], str):
                raise TypeError(f"{name} must be a string")
        return cls(
            type=data["type"],
            user_id=uuid.UUID(data["user_id"]),
            email=data["email"],
            username=data["username"],
            occurred_at=datetime.fromisoformat(data["occurred_at"]),
            changed=tuple(changed),
            previous_email=data.get("previous_email"),
            new_email=data.get("new_email"),
            id=uuid.UUID(data["event_id"]),
            request_id=data.get("request_id"),
            token_id=uuid.UUID(token_id) if isinstance(token_id, str) else None,
            recovery_codes_left=codes_left,
            device=data.get("device"),
            ip=data.get("ip"),
        )
