"""Administrators turn an account's sign-in off and on again, and end its sessions."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from core.admin import actions
from core.admin.actions import Actor
from core.admin.user_details import NO_SUCH_USER
from core.domain import Forbidden, NotFound, User
from core.ports import ActionTokenSecrets, Clock, UnitOfWork, UnitOfWorkFactory
from core.users.changes import save_changes

Change = Callable[[User, datetime], User]
Record = Callable[[UnitOfWork, Actor, uuid.UUID, datetime], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class AccountAccessChange:
    actor: Actor
    user_id: uuid.UUID


async def _change(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    secrets: ActionTokenSecrets,
    command: AccountAccessChange,
    change: Change,
    record: Record,
) -> User:
    """Load the account locked, change it, store the change and what follows from it (a raised
    token version revokes every refresh token), record the action, commit."""
    now = clock.now()
    async with uow_factory() as uow:
        user = await uow.users.get_for_update(command.user_id)
        if user is None:
            raise NotFound(NO_SUCH_USER)
        changed = change(user, now)
        await save_changes(uow, user, changed, now, secrets)
        await record(uow, command.actor, user.id, now)
        await uow.commit()
    return changed


@dataclass(frozen=True, slots=True)
class DisableUserHandler:
    """No sign-in for the account (password, refresh grant, pages: 403 "account disabled"),
    and every session ended at once: the token version is raised, so its access tokens are
    refused from the next request and its refresh tokens are revoked. Disabling a disabled
    account changes nothing. Administrators cannot disable their own account."""

    uow: UnitOfWorkFactory
    clock: Clock
    secrets: ActionTokenSecrets

    async def __call__(self, command: AccountAccessChange) -> User:
        if command.user_id == command.actor.admin_id:
            raise Forbidden("Administrators cannot disable their own account.")
        return await _change(
            self.uow,
            self.clock,
            self.secrets,
            command,
            lambda user, now: user.with_disabled(now),
            actions.user_disabled,
        )


@dataclass(frozen=True, slots=True)
class EnableUserHandler:
    """Sign-in allowed again. The sessions that disabling ended stay ended."""

    uow: UnitOfWorkFactory
    clock: Clock
    secrets: ActionTokenSecrets

    async def __call__(self, command: AccountAccessChange) -> User:
        return await _change(
            self.uow,
            self.clock,
            self.secrets,
            command,
            lambda user, now: user.with_enabled(now),
            actions.user_enabled,
        )


@dataclass(frozen=True, slots=True)
class EndSessionsHandler:
    """Every session of the account ends at once, as a password change ends them: the token
    version is raised (its access tokens are refused from the next request) and its refresh
    tokens, browser sessions included, are revoked. The password stays as it is."""

    uow: UnitOfWorkFactory
    clock: Clock
    secrets: ActionTokenSecrets

    async def __call__(self, command: AccountAccessChange) -> User:
        return await _change(
            self.uow,
            self.clock,
            self.secrets,
            command,
            lambda user, now: user.with_sessions_ended(now),
            actions.sessions_ended,
        )
