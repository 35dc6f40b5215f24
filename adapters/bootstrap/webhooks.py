"""Webhooks in the processes that serve them: the ports (bound lazily, so each process builds
only what its handlers use) and the handlers of each process."""

from __future__ import annotations

from injector import Module, provider, singleton
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.jobs import DramatiqWebhookQueue, dramatiq_broker
from adapters.key_files import load_key_file
from adapters.lifecycle import Lifecycle
from adapters.settings import Settings
from adapters.sql.webhook_deliveries import SqlWebhookDeliveries
from adapters.webhook_http import HttpWebhookSender, SystemResolver, webhook_client
from adapters.webhook_secrets import AesGcmWebhookSecrets
from core.housekeeping.webhook_deliveries import PruneWebhookDeliveries, RequeueOverdueDeliveries
from core.ports.webhooks import (
    HostResolver,
    WebhookDeliveries,
    WebhookQueue,
    WebhookSecretBox,
    WebhookSender,
)
from core.webhooks.change_endpoint import ChangeEndpointHandler, RotateSecretHandler
from core.webhooks.create_endpoint import CreateEndpointHandler
from core.webhooks.delete_endpoint import DeleteEndpointHandler
from core.webhooks.deliver import DeliverWebhookHandler
from core.webhooks.fan_out import FanOutEventHandler
from core.webhooks.list_endpoints import (
    GetEndpointHandler,
    ListDeliveriesHandler,
    ListEndpointsHandler,
)

WEBHOOK_ADMIN_HANDLERS = (
    CreateEndpointHandler,
    ListEndpointsHandler,
    GetEndpointHandler,
    ChangeEndpointHandler,
    RotateSecretHandler,
    DeleteEndpointHandler,
    ListDeliveriesHandler,
)
"""The web process's: the administrators' API."""
WEBHOOK_WORKER_HANDLERS = (
    DeliverWebhookHandler,
    RequeueOverdueDeliveries,
    PruneWebhookDeliveries,
)
WEBHOOK_CONSUMER_HANDLERS = (FanOutEventHandler,)


class WebhooksModule(Module):
    """The key secrets are sealed with (web and worker), name lookups (web), the deliveries'
    table, the queue of attempts (consumer and worker) and the receivers (worker)."""

    @singleton
    @provider
    def secret_box(self, settings: Settings) -> WebhookSecretBox:
        return AesGcmWebhookSecrets(load_key_file(settings.webhook_key_file))

    @singleton
    @provider
    def resolver(self, settings: Settings) -> HostResolver:
        return SystemResolver(settings.webhooks.timeout_seconds)

    @singleton
    @provider
    def deliveries(self, engine: AsyncEngine) -> WebhookDeliveries:
        return SqlWebhookDeliveries(engine)

    @singleton
    @provider
    def queue(self, settings: Settings) -> WebhookQueue:
        return DramatiqWebhookQueue(dramatiq_broker(settings.redis_url))

    @singleton
    @provider
    def sender(self, settings: Settings, lifecycle: Lifecycle) -> WebhookSender:
        hooks = settings.webhooks
        client = webhook_client(hooks.targets, hooks.timeout_seconds)
        lifecycle.closers.append(client.aclose)
        return HttpWebhookSender(client)
