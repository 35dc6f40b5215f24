"""What administrators and operators did: one function per action, each called once the action
is done, inside its transaction where it has one.

Each logs the action (who, what, to whom; never an address or a secret), and those that change
an account record it in that account's audit trail (`admin.<action>`, with the administrator's
id) in `uow`, the transaction of the change, so the record commits with it, and publish it to
`accounts.events.v1` (`admin.user_disabled`, ..., with the administrator's id) in the same
transaction. What the action changed (a deletion, a changed field) goes there from the change
itself too, as for any other change; a change of the webhook endpoints, which changes no
account, goes there as an `admin.webhook_*` event of its own."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from core.audit.events import Detail, SecurityEvent, SecurityEventType
from core.domain.webhooks import EndpointField, WebhookEndpoint
from core.ports import UnitOfWork
from core.public_events import admin_action, webhook_event

log = logging.getLogger("core.admin")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: an administrator through the API (their account's id), or an operator at the
    command line (`ops/admin`, with access to the servers: no account)."""

    via: Literal["api", "cli"]
    admin_id: uuid.UUID | None = None

    @classmethod
    def administrator(cls, admin_id: uuid.UUID) -> Actor:
        return cls("api", admin_id)

    @classmethod
    def operator(cls) -> Actor:
        return cls("cli")


def _log(action: str, actor: Actor, target: uuid.UUID | None, **details: object) -> None:
    log.info(
        "admin action",
        extra={
            "action": action,
            "via": actor.via,
            "admin_id": str(actor.admin_id) if actor.admin_id else None,
            "target_user_id": str(target) if target else None,
            **details,
        },
    )


# The log's name of each action that changes an account, its type in the audit trail, and
# (below) the type of the event other services hear of it by.
_AUDITED: dict[str, SecurityEventType] = {
    "user.disable": "admin.disable",
    "user.enable": "admin.enable",
    "user.sessions.end": "admin.sessions.end",
    "user.password_reset": "admin.password_reset",
    "user.delete": "admin.delete",
    "user.role.grant": "admin.role_granted",
    "user.role.revoke": "admin.role_revoked",
    "webhook.create": "admin.webhook_created",
    "webhook.change": "admin.webhook_changed",
    "webhook.delete": "admin.webhook_deleted",
}
_PUBLISHED = {
    "user.disable": "admin.user_disabled",
    "user.enable": "admin.user_enabled",
    "user.sessions.end": "admin.sessions_ended",
    "user.password_reset": "admin.password_reset_mailed",
    "user.delete": "admin.user_deleted",
    "user.role.grant": "admin.role_changed",
    "user.role.revoke": "admin.role_changed",
}


async def _record(
    uow: UnitOfWork, action: str, actor: Actor, user_id: uuid.UUID, now: datetime, **details: str
) -> None:
    _log(action, actor, user_id, **details)
    by = {"admin_id": str(actor.admin_id)} if actor.admin_id else {}
    event = SecurityEvent.of(_AUDITED[action], user_id, now, None, via=actor.via, **by, **details)
    await uow.audit.add(event)
    published: dict[str, Any] = {}
    if "role" in details:
        published = {"role": details["role"], "granted": action == "user.role.grant"}
    kind = _PUBLISHED[action]
    await uow.events.add_public(admin_action(kind, user_id, actor.admin_id, now, **published))


def users_searched(actor: Actor, *, status: str | None, results: int) -> None:
    # The search text is left out: it may be part of an address.
    _log("users.search", actor, None, status=status, results=results)


def user_viewed(actor: Actor, user_id: uuid.UUID) -> None:
    _log("user.view", actor, user_id)


def user_created(actor: Actor, user_id: uuid.UUID) -> None:
    # Created by the sign-up handler in its own transaction: recorded after it commits.
    _log("user.create", actor, user_id)


async def user_disabled(uow: UnitOfWork, actor: Actor, user_id: uuid.UUID, now: datetime) -> None:
    await _record(uow, "user.disable", actor, user_id, now)


async def user_enabled(uow: UnitOfWork, actor: Actor, user_id: uuid.UUID, now: datetime) -> None:
    await _record(uow, "user.enable", actor, user_id, now)


async def sessions_ended(uow: UnitOfWork, actor: Actor, user_id: uuid.UUID, now: datetime) -> None:
    await _record(uow, "user.sessions.end", actor, user_id, now)


async def password_reset_mailed(
    uow: UnitOfWork, actor: Actor, user_id: uuid.UUID, now: datetime
) -> None:
    await _record(uow, "user.password_reset", actor, user_id, now)


async def user_deleted(uow: UnitOfWork, actor: Actor, user_id: uuid.UUID, now: datetime) -> None:
    await _record(uow, "user.delete", actor, user_id, now)


async def role_changed(
    uow: UnitOfWork, actor: Actor, user_id: uuid.UUID, role: str, now: datetime, *, granted: bool
) -> None:
    action = "user.role.grant" if granted else "user.role.revoke"
    await _record(uow, action, actor, user_id, now, role=role)


async def _record_webhook(
    uow: UnitOfWork,
    action: str,
    actor: Actor,
    endpoint: WebhookEndpoint,
    now: datetime,
    changed: list[EndpointField] | None = None,
) -> None:
    """A change of the webhook endpoints changes no account: it goes to the administrator's own
    audit trail, and to other services as an event of theirs (`admin.webhook_*`)."""
    if actor.admin_id is None:
        raise ValueError("webhook endpoints are changed by administrators only")
    details: dict[str, Detail] = {
        "webhook_id": str(endpoint.id),
        "host": endpoint.host,
        "event_types": list(endpoint.event_types),
        "active": endpoint.active,
    }
    if changed is not None:
        details["changed"] = list(changed)
    _log(action, actor, None, **details)
    audited = _AUDITED[action]
    by = {"via": actor.via, "admin_id": str(actor.admin_id)}
    await uow.audit.add(SecurityEvent.of(audited, actor.admin_id, now, None, **by, **details))
    deleted = action == "webhook.delete"
    event = webhook_event(actor.admin_id, endpoint, now, changed, deleted=deleted)
    await uow.events.add_public(event)


async def webhook_created(
    uow: UnitOfWork, actor: Actor, endpoint: WebhookEndpoint, now: datetime
) -> None:
    await _record_webhook(uow, "webhook.create", actor, endpoint, now)


async def webhook_changed(
    uow: UnitOfWork,
    actor: Actor,
    endpoint: WebhookEndpoint,
    now: datetime,
    changed: list[EndpointField],
) -> None:
    await _record_webhook(uow, "webhook.change", actor, endpoint, now, changed)


async def webhook_deleted(
    uow: UnitOfWork, actor: Actor, endpoint: WebhookEndpoint, now: datetime
) -> None:
    await _record_webhook(uow, "webhook.delete", actor, endpoint, now)
