"""Administrators delete a webhook endpoint."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.admin import actions
from core.admin.actions import Actor
from core.ports import Clock, UnitOfWorkFactory
from core.webhooks.change_endpoint import endpoint_for_update


@dataclass(frozen=True, slots=True)
class DeleteEndpoint:
    actor: Actor
    endpoint_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class DeleteEndpointHandler:
    """The endpoint goes, and with it its delivery log: pending deliveries are not tried again.
    Recorded as the administrator's action (`admin.webhook_deleted`)."""

    uow: UnitOfWorkFactory
    clock: Clock

    async def __call__(self, command: DeleteEndpoint) -> None:
        now = self.clock.now()
        async with self.uow() as uow:
            endpoint = await endpoint_for_update(uow, command.endpoint_id)
            await uow.webhooks.delete(endpoint.id)
            await actions.webhook_deleted(uow, command.actor, endpoint, now)
            await uow.commit()
