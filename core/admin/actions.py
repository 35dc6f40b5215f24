"""What administrators and operators did: one function per action, each called once the action
is done, inside its transaction where it has one.

Each logs the action (who, what, to whom; never an address or a secret), and those that change
an account record it in that account's audit trail (`admin.<action>`, with the administrator's
id) in `uow`, the transaction of the change, so the record commits with it. What other
services hear of (a deletion, a changed field) goes to `accounts.events.v1` from the change
itself, as for any other change."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from core.audit.events import SecurityEvent, SecurityEventType
from core.ports import UnitOfWork

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


# The log's name of each action that changes an account, and its type in the audit trail.
_AUDITED: dict[str, SecurityEventType] = {
    "user.disable": "admin.disable",
    "user.enable": "admin.enable",
    "user.sessions.end": "admin.sessions.end",
    "user.password_reset": "admin.password_reset",
    "user.delete": "admin.delete",
    "user.role.grant": "admin.role_granted",
    "user.role.revoke": "admin.role_revoked",
}


async def _record(
    uow: UnitOfWork, action: str, actor: Actor, user_id: uuid.UUID, now: datetime, **details: str
) -> None:
    _log(action, actor, user_id, **details)
    by = {"admin_id": str(actor.admin_id)} if actor.admin_id else {}
    event = SecurityEvent.of(_AUDITED[action], user_id, now, None, via=actor.via, **by, **details)
    await uow.audit.add(event)


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
