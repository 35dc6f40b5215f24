"""The relay process: outbox -> Kafka (`actors.relay`)."""

from __future__ import annotations

import functools

from injector import Injector, Module, provider, singleton
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.bootstrap.common import BaseModule, DatabaseModule, topic_layout
from adapters.kafka_topics import ensure_topics
from adapters.outbox_notifications import OutboxNotifications
from adapters.relay import OutboxRelay, kafka_producer
from adapters.settings import Settings
from adapters.sql.outbox import MAIL, PUBLIC


class RelayModule(Module):
    @singleton
    @provider
    def relay(self, settings: Settings, engine: AsyncEngine) -> OutboxRelay:
        return OutboxRelay(
            engine,
            lambda: kafka_producer(settings.kafka_bootstrap_servers),
            {MAIL: settings.events_topic, PUBLIC: settings.public_events_topic},
            notifications=OutboxNotifications(
                engine.url, timeout_seconds=settings.db_timeout_seconds
            ),
            prepare=functools.partial(
                ensure_topics, settings.kafka_bootstrap_servers, topic_layout(settings)
            ),
            batch_size=settings.relay_batch_size,
            poll_seconds=settings.relay_poll_seconds,
            publish_timeout_seconds=settings.relay_publish_timeout_seconds,
        )


def relay_injector(settings: Settings, *overrides: Module) -> Injector:
    return Injector([BaseModule(settings), DatabaseModule(), RelayModule(), *overrides])
