"""Account events for other services: the messages of the public topic (PUBLIC_EVENTS_TOPIC,
`accounts.events.v1`), keyed by user id.

Each type is a dataclass; these classes are the messages' schema too (the AsyncAPI document is
generated from them, api/asyncapi.py), so a field added here is documented there. Version 1
promises: fields are only ever added; a change that removes or redefines one goes to a new
topic (v2). Nothing secret is in them: no password, token or token id. Addresses are, since
the company's other services need them."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

from core.domain import User

ChangedField = Literal["username", "email"]


@dataclass(frozen=True, slots=True, kw_only=True)
class _AccountEvent:
    """What every event has. `event_id` is unique: a consumer that sees one twice (a redelivery)
    handles it once. One user's events arrive in the order they happened."""

    event_id: uuid.UUID
    occurred_at: datetime
    user_id: uuid.UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class UserCreated(_AccountEvent):
    """An account was created. Its address is not confirmed yet."""

    type: Literal["user.created"]
    username: str
    email: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UserUpdated(_AccountEvent):
    """The username or the address changed (an address changes once its owner confirmed it).
    `changed` names what did; `username` and `email` are the values now."""

    type: Literal["user.updated"]
    changed: list[ChangedField]
    username: str
    email: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UserDeleted(_AccountEvent):
    """The account is gone, and with it every session: forget the user."""

    type: Literal["user.deleted"]


@dataclass(frozen=True, slots=True, kw_only=True)
class UserEmailConfirmed(_AccountEvent):
    """Its owner proved they read `email`, the account's address now."""

    type: Literal["user.email_confirmed"]
    email: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UserPasswordChanged(_AccountEvent):
    """The password was changed or reset (or made unusable when a hijacked address was taken
    back): every session that began before it has ended."""

    type: Literal["user.password_changed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionEnded(_AccountEvent):
    """One session of the user ended (signed out, ended from another session, ended for a
    stolen refresh token, or with every other one when an email change was cancelled): access
    tokens whose `sid` is `sid` no longer speak for anyone. A new password, and the account's
    deletion, end every session too: user.password_changed and user.deleted say so, with no
    event per session."""

    type: Literal["session.ended"]
    sid: uuid.UUID
    """The session's id, as access tokens carry it in their `sid` claim."""


AccountEvent = (
    UserCreated
    | UserUpdated
    | UserDeleted
    | UserEmailConfirmed
    | UserPasswordChanged
    | SessionEnded
)
ACCOUNT_EVENT_CLASSES = (
    UserCreated,
    UserUpdated,
    UserDeleted,
    UserEmailConfirmed,
    UserPasswordChanged,
    SessionEnded,
)


def _envelope(user_id: uuid.UUID, at: datetime) -> dict[str, Any]:
    return {"event_id": uuid.uuid4(), "occurred_at": at, "user_id": user_id}


def user_created(user: User) -> UserCreated:
    return UserCreated(
        type="user.created",
        **_envelope(user.id, user.created_at),
        username=user.username,
        email=user.email,
    )


def user_deleted(user_id: uuid.UUID, at: datetime) -> UserDeleted:
    return UserDeleted(type="user.deleted", **_envelope(user_id, at))


def email_confirmed(user_id: uuid.UUID, email: str, at: datetime) -> UserEmailConfirmed:
    return UserEmailConfirmed(type="user.email_confirmed", **_envelope(user_id, at), email=email)


def session_ended(user_id: uuid.UUID, session_id: uuid.UUID, at: datetime) -> SessionEnded:
    return SessionEnded(type="session.ended", **_envelope(user_id, at), sid=session_id)


def changes(before: User, after: User, at: datetime) -> list[AccountEvent]:
    """What other services hear of a stored change: user.updated for a new username or
    address, user.password_changed for a new password (never the hash). A pending address is
    no change of the account yet."""
    events: list[AccountEvent] = []
    changed: list[ChangedField] = []
    if before.username != after.username:
        changed.append("username")
    if before.email != after.email:
        changed.append("email")
    if changed:
        events.append(
            UserUpdated(
                type="user.updated",
                **_envelope(after.id, at),
                changed=changed,
                username=after.username,
                email=after.email,
            )
        )
    if before.password_hash != after.password_hash:
        events.append(UserPasswordChanged(type="user.password_changed", **_envelope(after.id, at)))
    return events


def to_json(event: AccountEvent) -> dict[str, Any]:
    """The message as JSON values (ids and times as strings, RFC 3339), `type` first."""
    data = asdict(event)
    message: dict[str, Any] = {"type": data.pop("type")}
    for name, value in data.items():
        message[name] = value.isoformat() if isinstance(value, datetime) else value
        if isinstance(value, uuid.UUID):
            message[name] = str(value)
    return message
