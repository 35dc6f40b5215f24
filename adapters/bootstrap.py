"""The composition root: the one place that names the concrete adapter behind each port."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import dramatiq
import httpx
from injector import Binder, CallableProvider, Injector, Module, provider, singleton
from redis.asyncio import BlockingConnectionPool, Redis
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from adapters import health
from adapters.clock import SystemClock
from adapters.email_reputation import AbstractApiEmailVerifier, NullEmailVerifier
from adapters.jobs import DramatiqJobs, dramatiq_broker
from adapters.passwords import Argon2Hasher
from adapters.ratelimit import RedisSlidingWindowLimiter
from adapters.relay import OutboxRelay, kafka_producer
from adapters.settings import Settings
from adapters.smtp import SmtpMailer
from adapters.sql.bookkeeping import SqlBookkeeping
from adapters.sql.processed import SqlProcessedEvents
from adapters.sql.uow import SqlUnitOfWork
from adapters.sql.users import SqlUserReader, reader_pool
from adapters.tokens import JwtTokens, load_keys
from core.email_check import EmailScreen
from core.housekeeping import (
    DeleteRejectedAccounts,
    HousekeepingPolicy,
    PruneBookkeeping,
    RequeueStaleVerifications,
)
from core.mail.lifecycle import SendLifecycleMailHandler
from core.ports import (
    BackgroundJobs,
    Bookkeeping,
    Clock,
    EmailVerifier,
    MailSender,
    PasswordHasher,
    ProcessedEvents,
    RateLimiter,
    TokenIssuer,
    UnitOfWorkFactory,
    UserReader,
)
from core.tokens.issue_access_token import (
    IssueAccessTokenHandler,
    LoginLockout,
    RefreshTokenPolicy,
)
from core.tokens.refresh_access_token import RefreshAccessTokenHandler
from core.tokens.revoke_refresh_token import RevokeRefreshTokenHandler
from core.users.confirm_email import ConfirmEmailHandler, ResendLimit, ResendVerificationHandler
from core.users.delete_account import DeleteAccountHandler
from core.users.get_profile import GetProfileHandler
from core.users.password_reset import RequestPasswordResetHandler, ResetPasswordHandler
from core.users.register import RegisterUserHandler
from core.users.update_profile import UpdateProfileHandler
from core.users.verify_email import GiveUpEmailCheckHandler, VerifyEmailHandler

HANDLERS = (
    EmailScreen,
    VerifyEmailHandler,
    GiveUpEmailCheckHandler,
    RequeueStaleVerifications,
    DeleteRejectedAccounts,
    PruneBookkeeping,
    RegisterUserHandler,
    GetProfileHandler,
    UpdateProfileHandler,
    DeleteAccountHandler,
    IssueAccessTokenHandler,
    RefreshAccessTokenHandler,
    RevokeRefreshTokenHandler,
    ConfirmEmailHandler,
    ResendVerificationHandler,
    RequestPasswordResetHandler,
    ResetPasswordHandler,
)

Probe = Callable[[], Awaitable[None]]


@dataclass
class Readiness:
    """Named probes; each raises when its service cannot be reached."""

    probes: dict[str, Probe]
    timeout_seconds: float
    outbox_backlog: Callable[[], Awaitable[int]]


@dataclass
class Lifecycle:
    """What to close, in order, when the process stops."""

    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def close(self) -> None:
        for close in self.closers:
            await close()


def redis_client(url: str, timeout_seconds: float, max_connections: int = 64) -> Redis:
    """A client whose pool waits for a free connection instead of failing a burst."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=timeout_seconds,
        socket_timeout=timeout_seconds,
        socket_connect_timeout=timeout_seconds,
    )
    return Redis(connection_pool=pool)


def _build_from_fields(injector: Injector, cls: type) -> object:
    hints = typing.get_type_hints(cls)
    return cls(**{f.name: injector.get(hints[f.name]) for f in dataclasses.fields(cls)})


class HandlersModule(Module):
    """Every core handler, built from the ports its fields name."""

    def configure(self, binder: Binder) -> None:
        for cls in HANDLERS:
            binder.bind(
                cls,
                to=CallableProvider(lambda cls=cls: _build_from_fields(binder.injector, cls)),
                scope=singleton,
            )


class InfrastructureModule(Module):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def configure(self, binder: Binder) -> None:
        binder.bind(Settings, to=self.settings)

    @singleton
    @provider
    def clock(self) -> Clock:
        return SystemClock()

    @singleton
    @provider
    def lifecycle(self) -> Lifecycle:
        return Lifecycle()

    @singleton
    @provider
    def engine(self, lifecycle: Lifecycle) -> AsyncEngine:
        s = self.settings
        engine = create_async_engine(
            s.database_url,
            pool_size=s.db_pool_size,
            max_overflow=s.db_pool_size,
            pool_timeout=s.db_timeout_seconds,
            pool_pre_ping=False,
            connect_args={
                "connect_timeout": max(1, int(s.db_timeout_seconds)),
                "options": f"-c statement_timeout={int(s.db_timeout_seconds * 1000)}",
            },
        )
        lifecycle.closers.append(engine.dispose)
        return engine

    @singleton
    @provider
    def redis(self, lifecycle: Lifecycle) -> Redis:
        client = redis_client(self.settings.redis_url, self.settings.readiness_timeout_seconds)
        lifecycle.closers.append(client.aclose)
        return client

    @singleton
    @provider
    def unit_of_work(self, engine: AsyncEngine) -> UnitOfWorkFactory:
        return lambda: SqlUnitOfWork(engine)

    @singleton
    @provider
    def user_reader(self, lifecycle: Lifecycle) -> UserReader:
        s = self.settings
        pool = reader_pool(s.database_url, s.db_pool_size, s.db_timeout_seconds)
        lifecycle.closers.append(pool.close)
        return SqlUserReader(pool)

    @singleton
    @provider
    def hasher(self, lifecycle: Lifecycle) -> PasswordHasher:
        hasher = Argon2Hasher(self.settings.argon2_profile, self.settings.hash_concurrency)

        async def close() -> None:
            hasher.close()

        lifecycle.closers.append(close)
        return hasher

    @singleton
    @provider
    def tokens(self, clock: Clock) -> TokenIssuer:
        s = self.settings
        return JwtTokens(
            load_keys(s.jwt_key_dir),
            issuer=s.jwt_issuer,
            audience=s.jwt_audience,
            ttl_seconds=s.jwt_ttl_seconds,
            clock=clock,
        )

    @singleton
    @provider
    def rate_limiter(self, redis: Redis, clock: Clock) -> RateLimiter:
        return RedisSlidingWindowLimiter(
            redis,
            clock,
            timeout_seconds=self.settings.rate_limit_timeout_seconds,
            fail_open=self.settings.rate_limit_fail_open,
        )

    @singleton
    @provider
    def login_lockout(self) -> LoginLockout:
        return LoginLockout(self.settings.login_lockout)

    @singleton
    @provider
    def resend_limit(self) -> ResendLimit:
        return ResendLimit(self.settings.verify_resend_limit)

    @singleton
    @provider
    def refresh_token_policy(self) -> RefreshTokenPolicy:
        return RefreshTokenPolicy(self.settings.refresh_token_ttl_seconds)

    @singleton
    @provider
    def email_verifier(self, lifecycle: Lifecycle) -> EmailVerifier:
        s = self.settings
        if not s.email_check_enabled:
            return NullEmailVerifier()
        client = httpx.AsyncClient(timeout=s.email_check_timeout_seconds)
        lifecycle.closers.append(client.aclose)
        return AbstractApiEmailVerifier(client, s.email_check_url, s.email_check_api_key)

    @singleton
    @provider
    def dramatiq_broker(self) -> dramatiq.Broker:
        return dramatiq_broker(self.settings.redis_url)

    @singleton
    @provider
    def jobs(self, broker: dramatiq.Broker) -> BackgroundJobs:
        return DramatiqJobs(broker)

    @singleton
    @provider
    def housekeeping_policy(self) -> HousekeepingPolicy:
        s = self.settings
        return HousekeepingPolicy(
            stale_pending_minutes=s.stale_pending_minutes,
            delete_rejected_after_days=s.delete_rejected_after_days,
            retention_days=s.retention_days,
        )

    @singleton
    @provider
    def bookkeeping(self, engine: AsyncEngine) -> Bookkeeping:
        return SqlBookkeeping(engine)

    @singleton
    @provider
    def readiness(self, engine: AsyncEngine, redis: Redis) -> Readiness:
        s = self.settings
        return Readiness(
            probes={
                "postgres": health.postgres_probe(engine),
                "redis": health.redis_probe(redis),
                "kafka": health.kafka_probe(s.kafka_bootstrap_servers, s.readiness_timeout_seconds),
            },
            timeout_seconds=s.readiness_timeout_seconds,
            outbox_backlog=health.outbox_backlog(engine),
        )


class RelayModule(Module):
    @singleton
    @provider
    def relay(self, settings: Settings, engine: AsyncEngine) -> OutboxRelay:
        return OutboxRelay(
            engine,
            lambda: kafka_producer(settings.kafka_bootstrap_servers),
            settings.events_topic,
            batch_size=settings.relay_batch_size,
            poll_seconds=settings.relay_poll_seconds,
            publish_timeout_seconds=settings.relay_publish_timeout_seconds,
        )


class MailerModule(Module):
    @singleton
    @provider
    def mailer(self, settings: Settings, lifecycle: Lifecycle) -> MailSender:
        mailer = SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            settings.mail_from,
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

    @singleton
    @provider
    def send_lifecycle_mail(
        self, settings: Settings, processed: ProcessedEvents, mailer: MailSender
    ) -> SendLifecycleMailHandler:
        return SendLifecycleMailHandler(processed, mailer, settings.public_base_url)


def relay_injector(settings: Settings, *overrides: Module) -> Injector:
    """The relay process: outbox -> Kafka."""
    return Injector([InfrastructureModule(settings), RelayModule(), *overrides])


def consumer_injector(settings: Settings, *overrides: Module) -> Injector:
    """The consumer process: Kafka -> mail."""
    return Injector([InfrastructureModule(settings), MailerModule(), *overrides])


def worker_injector(settings: Settings, *overrides: Module) -> Injector:
    """The worker and scheduler processes: Dramatiq actors."""
    return Injector([InfrastructureModule(settings), HandlersModule(), *overrides])


def web_injector(settings: Settings, *overrides: Module) -> Injector:
    """The web process. Tests pass modules that rebind single ports to fakes."""
    return Injector([InfrastructureModule(settings), HandlersModule(), *overrides])
