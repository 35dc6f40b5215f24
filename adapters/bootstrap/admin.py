"""The operators' command line (`ops/admin`): the web process's wiring, the handlers only the
command line has (sign-up without a request, administrator roles), and the lifecycle-mail DLQ."""

from __future__ import annotations

from injector import Injector, Module, provider, singleton

from adapters.bootstrap.common import (
    ActionTokenSecretsModule,
    BaseModule,
    DatabaseModule,
    EmailReputationModule,
    HandlersModule,
    handler_values,
    topic_layout,
)
from adapters.bootstrap.web import ADMIN_HANDLERS, WebModule
from adapters.kafka_dead_letters import KafkaDeadLetters
from adapters.settings import Settings
from core.admin.roles import SetAdminRoleHandler
from core.users.register import RegisterUserHandler

OPERATOR_HANDLERS = (RegisterUserHandler, SetAdminRoleHandler, *ADMIN_HANDLERS)


class OperatorModule(Module):
    @singleton
    @provider
    def dead_letters(self, settings: Settings) -> KafkaDeadLetters:
        return KafkaDeadLetters(
            settings.kafka_bootstrap_servers,
            topic_layout(settings),
            group_id=f"{settings.mail_consumer_group}-dlq-replay",
            timeout_seconds=10.0,
        )


def admin_injector(settings: Settings, *overrides: Module) -> Injector:
    return Injector(
        [
            BaseModule(settings),
            DatabaseModule(),
            EmailReputationModule(),
            WebModule(),
            ActionTokenSecretsModule(),
            OperatorModule(),
            HandlersModule(OPERATOR_HANDLERS, handler_values(settings)),
            *overrides,
        ]
    )
