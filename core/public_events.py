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
from typing import Any, Literal, get_args, get_type_hints

from core.domain import User
from core.domain.webhooks import EndpointField, WebhookEndpoint

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


@dataclass(frozen=True, slots=True, kw_only=True)
class _AdminAction(_AccountEvent):
    """An administrator acted on the account `user_id`: through the API (`via` "api",
    `admin_id` their account), or an operator at the command line (`via` "cli", no
    `admin_id`). What the action changed has its own event too where there is one (the
    deletion's user.deleted, say)."""

    admin_id: uuid.UUID | None
    via: Literal["api", "cli"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AdminDisabledUser(_AdminAction):
    """The account may not sign in, and every session of it ended."""

    type: Literal["admin.user_disabled"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AdminEnabledUser(_AdminAction):
    """The account may sign in again."""

    type: Literal["admin.user_enabled"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AdminEndedSessions(_AdminAction):
    """Every session of the account ended: no access token of it speaks for anyone."""

    type: Literal["admin.sessions_ended"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AdminMailedPasswordReset(_AdminAction):
    """A password reset link was mailed to the account's address."""

    type: Literal["admin.password_reset_mailed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AdminDeletedUser(_AdminAction):
    """The account was deleted (user.deleted follows)."""

    type: Literal["admin.user_deleted"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AdminChangedRole(_AdminAction):
    """A role of the account was `granted` (or revoked)."""

    type: Literal["admin.role_changed"]
    role: str
    granted: bool


AdminAction = (
    AdminDisabledUser
    | AdminEnabledUser
    | AdminEndedSessions
    | AdminMailedPasswordReset
    | AdminDeletedUser
    | AdminChangedRole
)
_ADMIN_ACTION_CLASSES: tuple[type[AdminAction], ...] = (
    AdminDisabledUser,
    AdminEnabledUser,
    AdminEndedSessions,
    AdminMailedPasswordReset,
    AdminDeletedUser,
    AdminChangedRole,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class _WebhookEvent(_AccountEvent):
    """An administrator changed where webhooks go: `user_id` is the administrator's account.
    The endpoint is named by its id and host, never its full URL (which may carry a token of
    the receiver's) nor its secret."""

    webhook_id: uuid.UUID
    host: str
    event_types: list[str]
    active: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookCreated(_WebhookEvent):
    """An administrator registered a webhook endpoint."""

    type: Literal["admin.webhook_created"]


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookChanged(_WebhookEvent):
    """An administrator changed a webhook endpoint: `changed` names what (`url`,
    `event_types`, `active`, `secret`); the other fields are its values now."""

    type: Literal["admin.webhook_changed"]
    changed: list[EndpointField]


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookDeleted(_WebhookEvent):
    """An administrator deleted a webhook endpoint (the fields are its last values)."""

    type: Literal["admin.webhook_deleted"]


AccountEvent = (
    UserCreated
    | UserUpdated
    | UserDeleted
    | UserEmailConfirmed
    | UserPasswordChanged
    | SessionEnded
    | AdminAction
    | WebhookCreated
    | WebhookChanged
    | WebhookDeleted
)
ACCOUNT_EVENT_CLASSES = (
    UserCreated,
    UserUpdated,
    UserDeleted,
    UserEmailConfirmed,
    UserPasswordChanged,
    SessionEnded,
    *_ADMIN_ACTION_CLASSES,
    WebhookCreated,
    WebhookChanged,
    WebhookDeleted,
)
PUBLIC_EVENT_TYPES: tuple[str, ...] = tuple(
    str(get_args(get_type_hints(cls)["type"])[0]) for cls in ACCOUNT_EVENT_CLASSES
)
"""Every `type` of the topic's events: what webhook endpoints may subscribe to."""


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


def admin_action(
    kind: str,
    user_id: uuid.UUID,
    admin_id: uuid.UUID | None,
    at: datetime,
    **details: Any,
) -> AdminAction:
    """What other services hear of an administrator's action `kind` (its event type) on the
    account `user_id`; `details` are the type's own fields (a role change's `role` and
    `granted`)."""
    (cls,) = [c for c in _ADMIN_ACTION_CLASSES if _type_of(c) == kind]
    via = "api" if admin_id is not None else "cli"
    return cls(type=kind, **_envelope(user_id, at), admin_id=admin_id, via=via, **details)  # type: ignore[arg-type]


def _type_of(cls: type) -> str:
    return str(get_args(get_type_hints(cls)["type"])[0])


def webhook_event(
    admin_id: uuid.UUID,
    endpoint: WebhookEndpoint,
    at: datetime,
    changed: list[EndpointField] | None,
    *,
    deleted: bool = False,
) -> WebhookCreated | WebhookChanged | WebhookDeleted:
    """What other services hear of an administrator's change of `endpoint`: created (no
    `changed`), changed, or `deleted`."""
    fields: dict[str, Any] = {
        **_envelope(admin_id, at),
        "webhook_id": endpoint.id,
        "host": endpoint.host,
        "event_types": list(endpoint.event_types),
        "active": endpoint.active,
    }
    if deleted:
        return WebhookDeleted(type="admin.webhook_deleted", **fields)
    if changed is None:
        return WebhookCreated(type="admin.webhook_created", **fields)
    return WebhookChanged(type="admin.webhook_changed", **fields, changed=changed)


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
