"""Operators grant and take away the administrator role (the command line only: no API path
makes anyone an administrator)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.admin import actions
from core.admin.actions import Actor
from core.admin.user_details import NO_SUCH_USER
from core.domain import ADMIN_ROLE, NotFound, User
from core.ports import Clock, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class SetAdminRole:
    user_id: uuid.UUID
    granted: bool
    actor: Actor


@dataclass(frozen=True, slots=True)
class SetAdminRoleHandler:
    """Grant or take away the administrator role. The user's next access token (sign-in or
    refresh) carries it; the administrators' API checks the stored role on every call as
    well, so taking it away works at once. Returns the user as stored."""

    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(self, command: SetAdminRole) -> User:
        async with self.uow() as uow:
            user = await uow.users.get_for_update(command.user_id)
            if user is None:
                raise NotFound(NO_SUCH_USER)
            now = self.clock.now()
            changed = user.with_role(ADMIN_ROLE, granted=command.granted, now=now)
            if changed.changed:
                await uow.users.save(changed)
                await actions.role_changed(
                    uow, command.actor, user.id, ADMIN_ROLE, now, granted=command.granted
                )
                await uow.commit()
        return changed
