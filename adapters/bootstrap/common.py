"""Injector modules that more than one process uses."""

from __future__ import annotations

import dataclasses
import typing
from datetime import timedelta
from typing import Any

import dramatiq
import httpx
from injector import (
    Binder,
    CallableProvider,
    Injector,
    InstanceProvider,
    Module,
    provider,
    singleton,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.action_token_secrets import HmacActionTokenSecrets
from adapters.clock import SystemClock
from adapters.email_reputation import AbstractApiEmailReputation, NullEmailReputation
from adapters.jobs import DramatiqJobs, dramatiq_broker
from adapters.kafka_topics import TopicLayout
from adapters.key_files import load_key_file
from adapters.lifecycle import Lifecycle
from adapters.settings import Settings
from adapters.sql.engine import create_engine
from adapters.sql.uow import SqlUnitOfWork
from core.audit.failed_password import RecordFailedPassword
from core.email_reputation.screen import EmailScreen
from core.lockout import LoginLockout
from core.mail.quota import MailQuota
from core.mfa.reauthentication import Reauthentication
from core.mfa.second_factors import SecondFactors
from core.passkeys.begin_assertion import BeginAssertion
from core.passkeys.verify_assertion import VerifyAssertion
from core.passwords.policy import PasswordPolicy
from core.ports import (
    ActionTokenSecrets,
    BackgroundJobs,
    Clock,
    EmailReputation,
    UnitOfWorkFactory,
)

# Core's services that handlers take as fields, built like the handlers.
CORE_SERVICES: tuple[type, ...] = (
    EmailScreen,
    LoginLockout,
    MailQuota,
    PasswordPolicy,
    BeginAssertion,
    VerifyAssertion,
    RecordFailedPassword,
    SecondFactors,
    Reauthentication,
)


def handler_values(settings: Settings) -> dict[str, object]:
    """The plain settings handlers take, by field name. Every other field of a handler is a
    port (or another core service) that the injector provides."""
    return {
        "failed_sign_ins": settings.login_lockout,
        "resend_limit": settings.verify_resend_limit,
        "refresh_ttl": timedelta(seconds=settings.refresh_token_ttl_seconds),
        "refresh_family_lifetime": timedelta(seconds=settings.refresh_family_max_seconds),
        "refresh_reuse_grace": timedelta(seconds=settings.refresh_reuse_grace_seconds),
        "stale_after": timedelta(minutes=settings.stale_pending_minutes),
        "rejected_for": timedelta(days=settings.delete_rejected_after_days),
        "retention": timedelta(days=settings.retention_days),
        "audit_retention": timedelta(days=settings.audit_retention_days),
        "public_base_url": settings.public_base_url,
        "mail_quota": settings.mail_quota,
        "breached_fail_closed": settings.pwned_passwords_fail_closed,
        "totp_issuer": settings.totp_issuer,
        "webhook_targets": settings.webhooks.targets,
        "webhook_retries": settings.webhooks.retries,
        "webhook_retention": timedelta(days=settings.webhooks.retention_days),
    }


def http_client(timeout_seconds: float, lifecycle: Lifecycle) -> httpx.AsyncClient:
    """A client of one outside HTTP service, closed when the process stops."""
    client = httpx.AsyncClient(timeout=timeout_seconds)
    lifecycle.closers.append(client.aclose)
    return client


def topic_layout(settings: Settings) -> TopicLayout:
    """The lifecycle-mail topics and the public one, as the relay and the consumer both create
    them."""
    return TopicLayout(
        settings.events_topic,
        settings.kafka_partitions,
        settings.kafka_replication,
        settings.public_events_topic,
    )


def _build(injector: Injector, cls: type, values: dict[str, object]) -> object:
    hints = typing.get_type_hints(cls)
    arguments: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in values:
            arguments[f.name] = values[f.name]
        elif f.default is not dataclasses.MISSING:
            continue
        elif _injectable(hints[f.name]):
            arguments[f.name] = injector.get(hints[f.name])
        else:
            # A plain value the injector would make up (timedelta() is zero): refuse to start.
            raise TypeError(f"{cls.__name__}.{f.name}: no setting named so in handler_values")
    return cls(**arguments)


def _injectable(hint: object) -> bool:
    """Ports (Protocols) and core's own services (dataclasses such as EmailScreen)."""
    return bool(getattr(hint, "_is_protocol", False)) or dataclasses.is_dataclass(hint)


class HandlersModule(Module):
    """The given core handlers, and the core services they use, each built from the ports its
    fields name and the settings `handler_values` gives by name."""

    def __init__(self, handlers: tuple[type, ...], values: dict[str, object]) -> None:
        self._handlers = handlers
        self._values = values

    def configure(self, binder: Binder) -> None:
        for cls in (*CORE_SERVICES, *self._handlers):
            binder.bind(
                cls,
                to=CallableProvider(lambda cls=cls: _build(binder.injector, cls, self._values)),
                scope=singleton,
            )


class BaseModule(Module):
    """Settings, the clock, and the list of what to close at exit: every process has them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def configure(self, binder: Binder) -> None:
        binder.bind(Settings, to=self.settings)
        binder.bind(Clock, to=InstanceProvider(SystemClock()))  # type: ignore[type-abstract]
        binder.bind(Lifecycle, to=InstanceProvider(Lifecycle()))


class DatabaseModule(Module):
    """The SQLAlchemy engine and the unit of work on it."""

    @singleton
    @provider
    def engine(self, settings: Settings, lifecycle: Lifecycle) -> AsyncEngine:
        engine = create_engine(
            settings.database_url, settings.db_pool_size, settings.db_timeout_seconds
        )
        lifecycle.closers.append(engine.dispose)
        return engine

    @singleton
    @provider
    def unit_of_work(self, engine: AsyncEngine) -> UnitOfWorkFactory:
        return lambda: SqlUnitOfWork(engine)


class EmailReputationModule(Module):
    """The reputation service (or its null stand-in while the check is off) and the queue of
    background checks."""

    @singleton
    @provider
    def reputation(self, settings: Settings, lifecycle: Lifecycle) -> EmailReputation:
        if not settings.email_check_enabled:
            return NullEmailReputation()
        return AbstractApiEmailReputation(
            http_client(settings.email_check_timeout_seconds, lifecycle),
            settings.email_check_url,
            settings.email_check_api_key,
        )

    @singleton
    @provider
    def broker(self, settings: Settings) -> dramatiq.Broker:
        return dramatiq_broker(settings.redis_url)

    @singleton
    @provider
    def jobs(self, broker: dramatiq.Broker) -> BackgroundJobs:
        return DramatiqJobs(broker)


class ActionTokenSecretsModule(Module):
    """The key mailed tokens' secrets derive from: the web issues them, the consumer mails them."""

    @singleton
    @provider
    def action_token_secrets(self, settings: Settings) -> ActionTokenSecrets:
        return HmacActionTokenSecrets(load_key_file(settings.action_token_key_file))
