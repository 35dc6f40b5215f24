"""Administrators delete an account."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.admin import actions
from core.admin.actions import Actor
from core.admin.user_details import NO_SUCH_USER
from core.domain import Forbidden, NotFound
from core.events import UserEvent
from core.ports import Clock, UnitOfWorkFactory
from core.public_events import user_deleted


@dataclass(frozen=True, slots=True)
class DeleteUser:
    actor: Actor
    user_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class DeleteUserHandler:
    """Delete an account as its owner would: its tokens go with it, its access tokens name no
    user any more, and it gets the goodbye mail. Administrators cannot delete their own
    account here (its owner's DELETE /api/v1/users can)."""

    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(self, command: DeleteUser) -> None:
        if command.user_id == command.actor.admin_id:
            raise Forbidden("Administrators cannot delete their own account here.")
        async with self.uow() as uow:
            user = await uow.users.get_for_update(command.user_id)
            if user is None:
                raise NotFound(NO_SUCH_USER)
            await uow.users.delete(user.id)
            now = self.clock.now()
            await uow.events.add(UserEvent.deleted(user, now))
            await uow.events.add_public(user_deleted(user.id, now))
            await actions.user_deleted(uow, command.actor, user.id, now)
            await uow.commit()
