"""What administrators and operators did: one function per action, each called once the action
is done, inside its transaction where it has one.

Each logs the action (who, what, to whom; never an address or a secret). The audit trail and
the public `accounts.events.v1` events of these actions are written here too once the audit
branch lands: `uow` is the transaction of the change, so the record commits with it."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Literal

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


def users_searched(actor: Actor, *, status: str | None, results: int) -> None:
    # The search text is left out: it may be part of an address.
    _log("users.search", actor, None, status=status, results=results)


def user_viewed(actor: Actor, user_id: uuid.UUID) -> None:
    _log("user.view", actor, user_id)


def user_created(actor: Actor, user_id: uuid.UUID) -> None:
    # Created by the sign-up handler in its own transaction: recorded after it commits.
    _log("user.create", actor, user_id)


async def user_disabled(uow: UnitOfWork, actor: Actor, user_id: uuid.UUID) -> None:
    _log("user.disable", actor, user_id)


async def user_enabled(uow: UnitOfWork, actor: Actor, user_id: uuid.UUID) -> None:
    _log("user.enable", actor, user_id)


async def sessions_ended(uow: UnitOfWork, actor: Actor, user_id: uuid.UUID) -> None:
    _log("user.sessions.end", actor, user_id)


async def password_reset_mailed(uow: UnitOfWork, actor: Actor, user_id: uuid.UUID) -> None:
    _log("user.password_reset", actor, user_id)


async def user_deleted(uow: UnitOfWork, actor: Actor, user_id: uuid.UUID) -> None:
    _log("user.delete", actor, user_id)


async def role_changed(
    uow: UnitOfWork, actor: Actor, user_id: uuid.UUID, role: str, *, granted: bool
) -> None:
    _log("user.role.grant" if granted else "user.role.revoke", actor, user_id, role=role)
