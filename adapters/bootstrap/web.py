"""The web process: the Falcon API (`api.main`) and its metrics exporter (`api.serve`)."""

from __future__ import annotations

from injector import Injector, Module, provider, singleton
from prometheus_client import CollectorRegistry
from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters import health, redis_pipeline
from adapters.bootstrap.common import (
    ActionTokenSecretsModule,
    BaseModule,
    DatabaseModule,
    EmailReputationModule,
    HandlersModule,
    handler_values,
    http_client,
)
from adapters.bootstrap.webhooks import WEBHOOK_ADMIN_HANDLERS, WebhooksModule
from adapters.common_passwords import PackagedCommonPasswords
from adapters.familiar_addresses import RedisFamiliarAddresses
from adapters.key_files import load_key_file
from adapters.lifecycle import Lifecycle
from adapters.metrics import ScrapeTimeGauge, exported_registry
from adapters.oidc.providers import ConfiguredProviders
from adapters.passwords import Argon2Hasher
from adapters.pwned_passwords import NullBreachedPasswords, PwnedPasswordsRange
from adapters.ratelimit import SLIDING_WINDOW, RedisSlidingWindowLimiter
from adapters.redis_client import redis_client
from adapters.settings import Settings
from adapters.sql.engine import scrape_engine
from adapters.sql.outbox import unpublished_count
from adapters.sql.user_directory import SqlUserDirectory
from adapters.sql.users import SqlUserReader, reader_pool
from adapters.tokens import JwtTokens, load_keys
from adapters.totp_secrets import AesGcmTotpSecrets
from adapters.webauthn import WebAuthnRelyingParty
from core.admin.access import AuthorizeAdmin
from core.admin.account_access import DisableUserHandler, EnableUserHandler, EndSessionsHandler
from core.admin.delete_user import DeleteUserHandler
from core.admin.password_reset import MailPasswordResetHandler
from core.admin.search_users import SearchUsersHandler
from core.admin.user_details import GetUserDetailsHandler
from core.audit.list_security_events import ListSecurityEventsHandler
from core.identities.link import LinkIdentityHandler
from core.identities.sign_in import SignInWithIdentityHandler
from core.identities.unlink import LinkedIdentitiesHandler, UnlinkIdentityHandler
from core.mfa.begin_passkey_second_step import BeginPasskeySecondStepHandler
from core.mfa.complete_sign_in import CompleteSignInHandler
from core.mfa.confirm_totp import ConfirmTotpHandler
from core.mfa.disable_totp import DisableTotpHandler
from core.mfa.get_status import GetMfaStatusHandler
from core.mfa.regenerate_recovery_codes import RegenerateRecoveryCodesHandler
from core.mfa.start_totp import StartTotpHandler
from core.passkeys.begin_registration import BeginPasskeyRegistrationHandler
from core.passkeys.begin_sign_in import BeginPasskeySignInHandler
from core.passkeys.begin_step_up import BeginPasskeyStepUpHandler
from core.passkeys.delete_passkey import DeletePasskeyHandler
from core.passkeys.finish_registration import FinishPasskeyRegistrationHandler
from core.passkeys.list_passkeys import ListPasskeysHandler
from core.passkeys.rename_passkey import RenamePasskeyHandler
from core.passkeys.sign_in import SignInWithPasskeyHandler
from core.ports import (
    BreachedPasswords,
    Clock,
    CommonPasswords,
    FamiliarAddresses,
    IdentityProviders,
    LockoutCounter,
    PasswordHasher,
    RateLimiter,
    TokenIssuer,
    TotpSecretBox,
    UserDirectory,
    UserReader,
    WebAuthn,
)
from core.sessions.end_sessions import EndOtherSessionsHandler, EndSessionHandler
from core.sessions.list_sessions import ListSessionsHandler
from core.sessions.session_user import GetSessionUserHandler
from core.tokens.issue_access_token import IssueAccessTokenHandler
from core.tokens.refresh_access_token import RefreshAccessTokenHandler
from core.tokens.revoke_refresh_token import RevokeRefreshTokenHandler
from core.users.cancel_email_change import CancelEmailChangeHandler
from core.users.confirm_email import ConfirmEmailHandler
from core.users.delete_account import DeleteAccountHandler
from core.users.get_profile import GetProfileHandler
from core.users.register import RegisterUserHandler
from core.users.request_password_reset import RequestPasswordResetHandler
from core.users.resend_verification import ResendVerificationHandler
from core.users.reset_password import ResetPasswordHandler
from core.users.update_profile import UpdateProfileHandler

WEB_HANDLERS = (
    RegisterUserHandler,
    GetProfileHandler,
    UpdateProfileHandler,
    DeleteAccountHandler,
    IssueAccessTokenHandler,
    RefreshAccessTokenHandler,
    RevokeRefreshTokenHandler,
    ConfirmEmailHandler,
    CancelEmailChangeHandler,
    ResendVerificationHandler,
    RequestPasswordResetHandler,
    ResetPasswordHandler,
    GetSessionUserHandler,
    BeginPasskeyRegistrationHandler,
    FinishPasskeyRegistrationHandler,
    ListPasskeysHandler,
    RenamePasskeyHandler,
    DeletePasskeyHandler,
    BeginPasskeyStepUpHandler,
    BeginPasskeySignInHandler,
    SignInWithPasskeyHandler,
    BeginPasskeySecondStepHandler,
    ListSecurityEventsHandler,
    GetMfaStatusHandler,
    StartTotpHandler,
    ConfirmTotpHandler,
    DisableTotpHandler,
    RegenerateRecoveryCodesHandler,
    CompleteSignInHandler,
    SignInWithIdentityHandler,
    LinkIdentityHandler,
    UnlinkIdentityHandler,
    LinkedIdentitiesHandler,
    ListSessionsHandler,
    EndSessionHandler,
    EndOtherSessionsHandler,
)
ADMIN_HANDLERS = (
    AuthorizeAdmin,
    SearchUsersHandler,
    GetUserDetailsHandler,
    DisableUserHandler,
    EnableUserHandler,
    EndSessionsHandler,
    MailPasswordResetHandler,
    DeleteUserHandler,
    *WEBHOOK_ADMIN_HANDLERS,
)


class WebModule(Module):
    """What only the web process uses: the read pool (the user reader and the administrators'
    search), Redis for the limiter, argon2 (its worker processes start with the app) and the
    password lists, the signing keys, the key TOTP secrets are sealed with, the WebAuthn relying
    party, the sign-in providers, and the readiness probes."""

    @singleton
    @provider
    def read_pool(self, settings: Settings, lifecycle: Lifecycle) -> AsyncConnectionPool:
        pool = reader_pool(
            settings.database_url, settings.db_pool_size, settings.db_timeout_seconds
        )
        lifecycle.closers.append(pool.close)
        return pool

    @singleton
    @provider
    def user_reader(self, pool: AsyncConnectionPool) -> UserReader:
        return SqlUserReader(pool)

    @singleton
    @provider
    def user_directory(self, pool: AsyncConnectionPool) -> UserDirectory:
        return SqlUserDirectory(pool)

    @singleton
    @provider
    def redis(self, settings: Settings, lifecycle: Lifecycle) -> Redis:
        client = redis_client(settings.redis_url, settings.readiness_timeout_seconds)
        lifecycle.closers.append(client.aclose)
        return client

    @singleton
    @provider
    def rate_limiter(
        self, settings: Settings, redis: Redis, clock: Clock, lifecycle: Lifecycle
    ) -> RateLimiter:
        # Every request runs its check: on one pipelined connection, where the URL allows.
        script = None
        if redis_pipeline.supports(settings.redis_url):
            pipeline = redis_pipeline.PipelinedRedis(
                settings.redis_url, stale_after=settings.readiness_timeout_seconds
            )
            lifecycle.closers.append(pipeline.close)
            script = redis_pipeline.PipelinedScript(pipeline, SLIDING_WINDOW)
        return RedisSlidingWindowLimiter(
            redis,
            clock,
            timeout_seconds=settings.rate_limit_timeout_seconds,
            fail_open=settings.rate_limit_fail_open,
            script=script,
        )

    @singleton
    @provider
    def lockout_counter(self, settings: Settings, redis: Redis, clock: Clock) -> LockoutCounter:
        return RedisSlidingWindowLimiter(
            redis,
            clock,
            timeout_seconds=settings.login_lockout_timeout_seconds,
            fail_open=settings.login_lockout_fail_open,
        )

    @singleton
    @provider
    def familiar_addresses(self, settings: Settings, redis: Redis) -> FamiliarAddresses:
        return RedisFamiliarAddresses(
            redis, settings.familiar_address_days, settings.rate_limit_timeout_seconds
        )

    @singleton
    @provider
    def hasher(self, settings: Settings, lifecycle: Lifecycle) -> PasswordHasher:
        hasher = Argon2Hasher(
            settings.argon2_profile, settings.hash_concurrency, settings.hash_nice
        )
        lifecycle.closers.append(hasher.close)
        return hasher

    @singleton
    @provider
    def common_passwords(self) -> CommonPasswords:
        return PackagedCommonPasswords.from_zxcvbn()

    @singleton
    @provider
    def breached_passwords(self, settings: Settings, lifecycle: Lifecycle) -> BreachedPasswords:
        if not settings.pwned_passwords_enabled:
            return NullBreachedPasswords()
        client = http_client(settings.pwned_passwords_timeout_seconds, lifecycle)
        return PwnedPasswordsRange(client, settings.pwned_passwords_url)

    @singleton
    @provider
    def tokens(self, settings: Settings, clock: Clock) -> TokenIssuer:
        return JwtTokens(
            load_keys(settings.jwt_key_dir),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl_seconds=settings.jwt_ttl_seconds,
            clock=clock,
        )

    @singleton
    @provider
    def webauthn(self, settings: Settings) -> WebAuthn:
        return WebAuthnRelyingParty(
            settings.webauthn_rp_id, settings.webauthn_rp_name, settings.webauthn_origins
        )

    @singleton
    @provider
    def identity_providers(
        self, settings: Settings, clock: Clock, lifecycle: Lifecycle
    ) -> IdentityProviders:
        return ConfiguredProviders.from_settings(
            settings.identity_providers, settings.oidc_timeout_seconds, clock, lifecycle
        )

    @singleton
    @provider
    def totp_secrets(self, settings: Settings) -> TotpSecretBox:
        return AesGcmTotpSecrets(load_key_file(settings.totp_key_file))

    @singleton
    @provider
    def readiness(self, settings: Settings, engine: AsyncEngine, redis: Redis) -> health.Readiness:
        timeout = settings.readiness_timeout_seconds
        return health.Readiness(
            probes={
                "postgres": health.postgres_probe(engine),
                "redis": health.redis_probe(redis),
                "kafka": health.kafka_probe(settings.kafka_bootstrap_servers, timeout),
            },
            timeout_seconds=timeout,
        )


def web_injector(settings: Settings, *overrides: Module) -> Injector:
    """The web process. Tests pass modules that rebind single ports to fakes."""
    return Injector(
        [
            BaseModule(settings),
            DatabaseModule(),
            EmailReputationModule(),
            WebModule(),
            ActionTokenSecretsModule(),
            WebhooksModule(),
            HandlersModule((*WEB_HANDLERS, *ADMIN_HANDLERS), handler_values(settings)),
            *overrides,
        ]
    )


def web_metrics(settings: Settings) -> CollectorRegistry:
    """What the web's metrics port serves: the requests of every worker, added up, and the
    outbox backlog, counted in PostgreSQL when Prometheus scrapes."""
    engine = scrape_engine(settings.database_url, settings.readiness_timeout_seconds)
    backlog = ScrapeTimeGauge(
        "outbox_backlog",
        "Outbox events not yet published to Kafka (read at scrape time).",
        (),
        lambda: {(): unpublished_count(engine)},
    )
    return exported_registry(backlog)
