"""The consumer process: Kafka -> mail (`actors.mailer`)."""

from __future__ import annotations

from injector import Injector, Module, provider, singleton
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.bootstrap.common import (
    ActionTokenSecretsModule,
    BaseModule,
    DatabaseModule,
    HandlersModule,
    handler_values,
)
from adapters.bootstrap.webhooks import WEBHOOK_CONSUMER_HANDLERS, WebhooksModule
from adapters.lifecycle import Lifecycle
from adapters.settings import Settings
from adapters.smtp import SmtpMailer
from adapters.sql.processed import SqlProcessedEvents
from core.mail.lifecycle import SendLifecycleMailHandler
from core.ports import MailSender, ProcessedEvents


class MailerModule(Module):
    @singleton
    @provider
    def mailer(self, settings: Settings, lifecycle: Lifecycle) -> MailSender:
        mailer = SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            settings.mail_from,
            connections=settings.smtp_connections,
            timeout_seconds=settings.smtp_timeout_seconds,
            username=settings.smtp_username,
            password=settings.smtp_password,
            start_tls=settings.smtp_start_tls,
        )
        lifecycle.closers.append(mailer.close)
        return mailer

    @singleton
    @provider
    def processed(self, engine: AsyncEngine) -> ProcessedEvents:
        return SqlProcessedEvents(engine)


def consumer_injector(settings: Settings, *overrides: Module) -> Injector:
    handlers = HandlersModule(
        (SendLifecycleMailHandler, *WEBHOOK_CONSUMER_HANDLERS), handler_values(settings)
    )
    secrets = ActionTokenSecretsModule()
    return Injector(
        [
            BaseModule(settings),
            DatabaseModule(),
            MailerModule(),
            secrets,
            WebhooksModule(),
            handlers,
            *overrides,
        ]
    )
