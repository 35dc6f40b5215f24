"""Administrators change a webhook endpoint: its URL, its event types, whether it receives, or
its signing secret."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from core.admin import actions
from core.admin.actions import Actor
from core.domain import InvalidInput, NotFound
from core.domain.webhooks import EndpointField, WebhookEndpoint
from core.ports import Clock, UnitOfWork, UnitOfWorkFactory
from core.ports.webhooks import HostResolver, WebhookSecretBox
from core.webhooks.rules import TargetRules, check_target, checked_event_types
from core.webhooks.signing import new_secret

NO_SUCH_ENDPOINT = "No webhook endpoint has this id."


def existing(endpoint: WebhookEndpoint | None) -> WebhookEndpoint:
    """The endpoint found; NotFound (404) for none."""
    if endpoint is None:
        raise NotFound(NO_SUCH_ENDPOINT)
    return endpoint


async def endpoint_for_update(uow: UnitOfWork, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    return existing(await uow.webhooks.get_for_update(endpoint_id))


@dataclass(frozen=True, slots=True)
class ChangeEndpoint:
    actor: Actor
    endpoint_id: uuid.UUID
    url: str | None = None
    event_types: tuple[str, ...] | None = None
    active: bool | None = None


@dataclass(frozen=True, slots=True)
class ChangeEndpointHandler:
    """The endpoint with the values given (at least one); the same rules as at registration.
    Turned on again (`active`), an endpoint a 410 turned off receives the events that occur
    from then on. A change is recorded as the administrator's action (`admin.webhook_changed`
    with the names of what changed); values equal to the stored ones change nothing."""

    uow: UnitOfWorkFactory
    clock: Clock
    resolver: HostResolver
    webhook_targets: TargetRules

    async def __call__(self, command: ChangeEndpoint) -> WebhookEndpoint:
        if command.url is None and command.event_types is None and command.active is None:
            raise InvalidInput({"_body": ["Give at least one of url, event_types, active."]})
        event_types = None
        if command.event_types is not None:
            event_types = checked_event_types(command.event_types)
        if command.url is not None:
            await check_target(command.url, self.webhook_targets, self.resolver)
        now = self.clock.now()
        async with self.uow() as uow:
            endpoint = await endpoint_for_update(uow, command.endpoint_id)
            changed, names = endpoint.changed(
                now, url=command.url, event_types=event_types, active=command.active
            )
            if names:
                await uow.webhooks.save(changed)
                await actions.webhook_changed(uow, command.actor, changed, now, names)
                await uow.commit()
        return changed


@dataclass(frozen=True, slots=True)
class RotateSecret:
    actor: Actor
    endpoint_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class RotateSecretHandler:
    """A new signing secret for the endpoint, returned this once; the old one stops at once:
    attempts from now on are signed with the new one."""

    uow: UnitOfWorkFactory
    clock: Clock
    secret_box: WebhookSecretBox

    async def __call__(self, command: RotateSecret) -> tuple[WebhookEndpoint, str]:
        now, secret = self.clock.now(), new_secret()
        async with self.uow() as uow:
            endpoint = await endpoint_for_update(uow, command.endpoint_id)
            sealed = self.secret_box.seal(endpoint.id, secret)
            endpoint = replace(endpoint, sealed_secret=sealed, updated_at=now)
            await uow.webhooks.save(endpoint)
            changed: list[EndpointField] = ["secret"]
            await actions.webhook_changed(uow, command.actor, endpoint, now, changed)
            await uow.commit()
        return endpoint, secret
