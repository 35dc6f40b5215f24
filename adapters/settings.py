"""One typed settings object, read from the environment (and `.env` when present)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from environs import Env

from adapters.cores import usable_cores
from adapters.oidc.settings import ProviderSettings, read_providers
from core.domain import RateLimit


def _local_development(public_base_url: str) -> bool:
    """Plain HTTP on this machine: a browser would not send a Secure cookie there."""
    url = urlsplit(public_base_url)
    return url.scheme == "http" and url.hostname in ("127.0.0.1", "localhost", "::1")


def _origins_of(public_base_url: str, rp_id: str) -> list[str]:
    """The origin of the public site; for an address of this machine also its `localhost`
    spelling, where the relying party is `localhost` (an IP address cannot be a WebAuthn
    relying party id, so a browser creates passkeys only at http://localhost:PORT there)."""
    url = urlsplit(public_base_url)
    origins = [f"{url.scheme}://{url.netloc}"]
    if rp_id == "localhost" and url.hostname in ("127.0.0.1", "::1"):
        port = f":{url.port}" if url.port else ""
        origins.append(f"{url.scheme}://localhost{port}")
    return origins


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    redis_url: str
    kafka_bootstrap_servers: str
    kafka_partitions: int
    """Partitions of the event topic and its DLQ when they are created: consumers of one group
    share them, so no more consumers than this do work."""
    kafka_replication: int
    smtp_host: str
    smtp_port: int
    jwt_key_dir: Path
    jwt_issuer: str
    jwt_audience: str
    jwt_ttl_seconds: int
    refresh_token_ttl_seconds: int
    refresh_family_max_seconds: int
    """How long a sign-in's refresh-token family lives at most, however often it is rotated."""
    refresh_reuse_grace_seconds: int
    """How long after a rotation the rotated token still gets the same successor."""
    argon2_profile: str
    web_workers: int
    """uvicorn worker processes of the web process (`api.serve` passes it as `--workers`)."""
    hash_concurrency: int
    """Passwords hashed at once by each web worker, each hash in a process of its own."""
    hash_nice: int
    """How much lower than the web process the hashing workers are scheduled (0-19)."""
    max_body_bytes: int
    db_pool_size: int
    db_timeout_seconds: float
    readiness_timeout_seconds: float
    request_id_pattern: str
    log_level: str
    log_json: bool
    rate_limit_enabled: bool
    rate_limits: dict[str, RateLimit]
    """'users_per_ip', 'token_per_ip', 'pages_per_ip': per client IP for each route group;
    'per_user'."""
    login_lockout: RateLimit
    verify_resend_limit: RateLimit
    """Confirmation mails one user may ask for again per window."""
    rate_limit_fail_open: bool
    rate_limit_timeout_seconds: float
    trusted_proxies: tuple[str, ...]
    events_topic: str
    public_events_topic: str
    """The versioned topic of account events for other services."""
    mail_consumer_group: str
    mail_from: str
    smtp_timeout_seconds: float
    smtp_username: str | None
    smtp_password: str | None
    smtp_start_tls: bool
    smtp_connections: int
    """SMTP connections the consumer keeps open and sends over at once."""
    mail_batch_size: int
    """Kafka records the consumer takes at a time (their offsets are committed together)."""
    mail_max_attempts: int
    mail_retry_seconds: float
    mail_max_backoff_seconds: float
    relay_batch_size: int
    relay_poll_seconds: float
    relay_publish_timeout_seconds: float
    email_check_enabled: bool
    email_check_url: str
    email_check_api_key: str
    email_check_timeout_seconds: float
    pwned_passwords_enabled: bool
    pwned_passwords_url: str
    pwned_passwords_timeout_seconds: float
    pwned_passwords_fail_closed: bool
    """True: a new password is refused (503) while the breach corpus cannot be asked."""
    verify_max_retries: int
    verify_min_backoff_ms: int
    verify_max_backoff_ms: int
    stale_pending_minutes: int
    delete_rejected_after_days: int
    retention_days: int
    audit_retention_days: int
    """How long users' security events are kept (their audit trail)."""
    dashboard_user: str
    metrics_host: str
    web_metrics_port: int
    worker_metrics_port: int
    consumer_metrics_port: int
    relay_metrics_port: int
    dashboard_password: str | None
    public_base_url: str
    """Where people open the service: the links in mails point at its pages."""
    mail_quota: RateLimit
    """Confirmation and reset mails one address may receive per window."""
    login_lockout_fail_open: bool
    """Whether sign-in goes on unguarded when the lockout's counter cannot be reached."""
    login_lockout_timeout_seconds: float
    familiar_address_days: int
    """A network that signed in successfully stays familiar (never locked out) this long."""
    action_token_key_file: Path
    """The key that derives mailed tokens' secrets from their ids (web and consumer)."""
    csrf_key_file: Path
    """The key the pages sign their forms' CSRF tokens with (web only)."""
    totp_key_file: Path
    """The key TOTP secrets are sealed with in the database (web only)."""
    totp_issuer: str
    """The name authenticator apps show beside the account's codes."""
    session_cookie_secure: bool
    """Whether the pages' cookies are sent over HTTPS only: on unless PUBLIC_BASE_URL is a
    plain-HTTP address of this machine (local development)."""
    webauthn_rp_id: str
    """The WebAuthn relying party id: the domain passkeys are bound to (the site's host or a
    parent domain of it). Changing it orphans every registered passkey."""
    webauthn_rp_name: str
    """The name authenticators show beside a passkey."""
    webauthn_origins: tuple[str, ...]
    """The origins (scheme://host[:port]) of the pages that may answer a passkey ceremony."""
    identity_providers: tuple[ProviderSettings, ...] = ()
    """OpenID Connect providers (OIDC_PROVIDERS) and GitHub people may sign in with."""
    oidc_timeout_seconds: float = 5.0
    """How long a provider may take to answer one request (discovery, keys, code exchange)."""
    oidc_flow_seconds: int = 600
    """How long a sign-in begun at a provider, or an identity waiting to be linked, is kept."""

    @classmethod
    def from_env(cls, read_dotenv: bool = True) -> Settings:
        """Settings from the process environment; tests adjust them with `dataclasses.replace`."""
        env = Env(eager=True)
        if read_dotenv:
            env.read_env(recurse=False)
        public_base_url = env.str("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
        cores = usable_cores()
        web_workers = env.int("WEB_WORKERS", cores, validate=lambda v: v >= 1)
        webauthn_rp_id = env.str("WEBAUTHN_RP_ID", "localhost")
        return cls(
            database_url=env.str(
                "DATABASE_URL",
                "postgresql+psycopg://accounts:accounts@127.0.0.1:5433/accounts",
            ),
            redis_url=env.str("REDIS_URL", "redis://127.0.0.1:6379/0"),
            kafka_bootstrap_servers=env.str("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
            kafka_partitions=env.int("KAFKA_PARTITIONS", 6),
            kafka_replication=env.int("KAFKA_REPLICATION", 1),
            smtp_host=env.str("SMTP_HOST", "127.0.0.1"),
            smtp_port=env.int("SMTP_PORT", 1025),
            jwt_key_dir=Path(env.str("JWT_KEY_DIR", ".keys")),
            jwt_issuer=env.str("JWT_ISSUER", "accounts"),
            jwt_audience=env.str("JWT_AUDIENCE", "accounts-api"),
            jwt_ttl_seconds=env.int("JWT_TTL_SECONDS", 900),
            refresh_token_ttl_seconds=env.int("REFRESH_TOKEN_TTL_SECONDS", 30 * 24 * 3600),
            refresh_family_max_seconds=env.int(
                "REFRESH_FAMILY_MAX_SECONDS", 30 * 24 * 3600, validate=lambda v: v > 0
            ),
            refresh_reuse_grace_seconds=env.int(
                "REFRESH_REUSE_GRACE_SECONDS", 10, validate=lambda v: v >= 0
            ),
            argon2_profile=env.str(
                "ARGON2_PROFILE", "default", validate=lambda v: v in ("default", "cheapest")
            ),
            web_workers=web_workers,
            # One hashing process per core in all, however many web workers share the cores.
            hash_concurrency=env.int("HASH_CONCURRENCY", max(1, cores // web_workers)),
            hash_nice=env.int("HASH_NICE", 10, validate=lambda v: 0 <= v <= 19),
            max_body_bytes=env.int("MAX_BODY_BYTES", 64 * 1024),
            db_pool_size=env.int("DB_POOL_SIZE", 10),
            db_timeout_seconds=env.float("DB_TIMEOUT_SECONDS", 5.0),
            readiness_timeout_seconds=env.float("READINESS_TIMEOUT_SECONDS", 2.0),
            request_id_pattern=env.str("REQUEST_ID_PATTERN", r"^[A-Za-z0-9._:-]{1,128}$"),
            log_level=env.str("LOG_LEVEL", "INFO"),
            log_json=env.bool("LOG_JSON", True),
            rate_limit_enabled=env.bool("RATE_LIMIT_ENABLED", True),
            rate_limits={
                "users_per_ip": RateLimit.parse(env.str("RATE_LIMIT_USERS_PER_IP", "100/60")),
                "token_per_ip": RateLimit.parse(env.str("RATE_LIMIT_TOKEN_PER_IP", "100/60")),
                "pages_per_ip": RateLimit.parse(env.str("RATE_LIMIT_PAGES_PER_IP", "100/60")),
                "per_user": RateLimit.parse(env.str("RATE_LIMIT_PER_USER", "20/60")),
            },
            login_lockout=RateLimit.parse(env.str("LOGIN_LOCKOUT", "5/900")),
            verify_resend_limit=RateLimit.parse(env.str("VERIFY_RESEND_LIMIT", "3/3600")),
            rate_limit_fail_open=env.bool("RATE_LIMIT_FAIL_OPEN", True),
            rate_limit_timeout_seconds=env.int("RATE_LIMIT_TIMEOUT_MS", 100) / 1000,
            trusted_proxies=tuple(env.list("TRUSTED_PROXIES", [])),
            events_topic=env.str("EVENTS_TOPIC", "email_notifications"),
            public_events_topic=env.str("PUBLIC_EVENTS_TOPIC", "accounts.events.v1"),
            mail_consumer_group=env.str("MAIL_CONSUMER_GROUP", "mailer"),
            mail_from=env.str("MAIL_FROM", "Accounts <no-reply@accounts.example>"),
            smtp_timeout_seconds=env.float("SMTP_TIMEOUT_SECONDS", 10.0),
            smtp_username=env.str("SMTP_USERNAME", None),
            smtp_password=env.str("SMTP_PASSWORD", None),
            smtp_start_tls=env.bool("SMTP_START_TLS", False),
            smtp_connections=env.int("SMTP_CONNECTIONS", 4),
            mail_batch_size=env.int("MAIL_BATCH_SIZE", 100),
            mail_max_attempts=env.int("MAIL_MAX_ATTEMPTS", 5),
            mail_retry_seconds=env.float("MAIL_RETRY_SECONDS", 0.5),
            mail_max_backoff_seconds=env.float("MAIL_MAX_BACKOFF_SECONDS", 30.0),
            relay_batch_size=env.int("RELAY_BATCH_SIZE", 100),
            relay_poll_seconds=env.float("RELAY_POLL_SECONDS", 1.0),
            relay_publish_timeout_seconds=env.float("RELAY_PUBLISH_TIMEOUT_SECONDS", 10.0),
            email_check_enabled=env.bool("EMAIL_CHECK_ENABLED", False),
            email_check_url=env.str(
                "EMAIL_CHECK_URL", "https://emailvalidation.abstractapi.com/v1/"
            ),
            email_check_api_key=env.str("EMAIL_CHECK_API_KEY", ""),
            email_check_timeout_seconds=env.float("EMAIL_CHECK_TIMEOUT_SECONDS", 5.0),
            pwned_passwords_enabled=env.bool("PWNED_PASSWORDS_ENABLED", False),
            pwned_passwords_url=env.str(
                "PWNED_PASSWORDS_URL", "https://api.pwnedpasswords.com/range/"
            ),
            pwned_passwords_timeout_seconds=env.float("PWNED_PASSWORDS_TIMEOUT_SECONDS", 2.0),
            pwned_passwords_fail_closed=env.bool("PWNED_PASSWORDS_FAIL_CLOSED", False),
            verify_max_retries=env.int("VERIFY_MAX_RETRIES", 8),
            verify_min_backoff_ms=env.int("VERIFY_MIN_BACKOFF_MS", 15_000),
            verify_max_backoff_ms=env.int("VERIFY_MAX_BACKOFF_MS", 3_600_000),
            stale_pending_minutes=env.int("STALE_PENDING_MINUTES", 30),
            delete_rejected_after_days=env.int("DELETE_REJECTED_AFTER_DAYS", 0),
            retention_days=env.int("RETENTION_DAYS", 7),
            audit_retention_days=env.int("AUDIT_RETENTION_DAYS", 365, validate=lambda v: v > 0),
            dashboard_user=env.str("DASHBOARD_USER", "admin"),
            metrics_host=env.str("METRICS_HOST", "127.0.0.1"),
            web_metrics_port=env.int("WEB_METRICS_PORT", 9190),
            worker_metrics_port=env.int("WORKER_METRICS_PORT", 9191),
            consumer_metrics_port=env.int("CONSUMER_METRICS_PORT", 9192),
            relay_metrics_port=env.int("RELAY_METRICS_PORT", 9193),
            dashboard_password=env.str("DASHBOARD_PASSWORD", None),
            public_base_url=public_base_url,
            mail_quota=RateLimit.parse(env.str("MAIL_QUOTA", "3/3600")),
            login_lockout_fail_open=env.bool("LOGIN_LOCKOUT_FAIL_OPEN", False),
            login_lockout_timeout_seconds=env.int("LOGIN_LOCKOUT_TIMEOUT_MS", 1000) / 1000,
            familiar_address_days=env.int("FAMILIAR_ADDRESS_DAYS", 30),
            action_token_key_file=Path(env.str("ACTION_TOKEN_KEY_FILE", ".keys/action-tokens.key")),
            csrf_key_file=Path(env.str("CSRF_KEY_FILE", ".keys/csrf.key")),
            totp_key_file=Path(env.str("TOTP_KEY_FILE", ".keys/totp.key")),
            totp_issuer=env.str("TOTP_ISSUER", "Accounts"),
            session_cookie_secure=env.bool(
                "SESSION_COOKIE_SECURE", not _local_development(public_base_url)
            ),
            webauthn_rp_id=webauthn_rp_id,
            webauthn_rp_name=env.str("WEBAUTHN_RP_NAME", "Accounts"),
            webauthn_origins=tuple(
                env.list("WEBAUTHN_ORIGINS", _origins_of(public_base_url, webauthn_rp_id))
            ),
            identity_providers=read_providers(env),
            oidc_timeout_seconds=env.float("OIDC_TIMEOUT_SECONDS", 5.0),
            oidc_flow_seconds=env.int("OIDC_FLOW_SECONDS", 600, validate=lambda v: v > 0),
        )
