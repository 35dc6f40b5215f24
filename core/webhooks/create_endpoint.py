"""Administrators register a webhook endpoint."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.admin import actions
from core.admin.actions import Actor
from core.domain.webhooks import DEACTIVATED, WebhookEndpoint
from core.ports import Clock, UnitOfWorkFactory
from core.ports.webhooks import HostResolver, WebhookSecretBox
from core.webhooks.rules import TargetRules, check_target, checked_event_types
from core.webhooks.signing import new_secret


@dataclass(frozen=True, slots=True)
class CreateEndpoint:
    actor: Actor
    url: str
    event_types: tuple[str, ...]
    active: bool = True


@dataclass(frozen=True, slots=True)
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str
    """The signing secret, in the clear this once: only its sealed form is stored."""


@dataclass(frozen=True, slots=True)
class CreateEndpointHandler:
    """An endpoint for the events of `event_types` (types of the public topic) at `url`, which
    must follow the target rules (https; no credentials; a public address), with a new signing
    secret. It receives the events that occur from now on. Recorded as the administrator's
    action (audit trail, `admin.webhook_created`), never with the secret."""

    uow: UnitOfWorkFactory
    clock: Clock
    secret_box: WebhookSecretBox
    resolver: HostResolver
    webhook_targets: TargetRules

    async def __call__(self, command: CreateEndpoint) -> CreatedEndpoint:
        event_types = checked_event_types(command.event_types)
        await check_target(command.url, self.webhook_targets, self.resolver)
        now = self.clock.now()
        endpoint_id, secret = uuid.uuid4(), new_secret()
        endpoint = WebhookEndpoint(
            id=endpoint_id,
            url=command.url,
            event_types=event_types,
            active=command.active,
            sealed_secret=self.secret_box.seal(endpoint_id, secret),
            created_at=now,
            updated_at=now,
            created_by=command.actor.admin_id,
            deactivated_at=None if command.active else now,
            deactivated_reason=None if command.active else DEACTIVATED,
        )
        async with self.uow() as uow:
            await uow.webhooks.add(endpoint)
            await actions.webhook_created(uow, command.actor, endpoint, now)
            await uow.commit()
        return CreatedEndpoint(endpoint, secret)
