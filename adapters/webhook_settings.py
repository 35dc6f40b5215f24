"""The webhooks' settings (WEBHOOK_*), read with the others by Settings.from_env."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from environs import Env

from core.webhooks.retry import RetrySchedule
from core.webhooks.rules import TargetRules


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    allow_http: bool = False
    """Plain http:// endpoint URLs too: local development and tests only."""
    allow_private_targets: bool = False
    """Endpoints on private, loopback or link-local addresses too (SSRF): local development and
    tests only."""
    timeout_seconds: float = 5.0
    """How long a receiver may take to accept the connection, and then to answer."""
    retry_base_seconds: float = 10.0
    retry_max_seconds: float = 3600.0
    retry_for_seconds: int = 86400
    retention_days: int = 30
    """How long finished deliveries stay in the delivery log."""
    consumer_group: str = "webhooks"
    """The consumer's group on the public topic (apart from the mailer's)."""

    @property
    def targets(self) -> TargetRules:
        return TargetRules(self.allow_http, self.allow_private_targets)

    @property
    def retries(self) -> RetrySchedule:
        return RetrySchedule(
            base=timedelta(seconds=self.retry_base_seconds),
            cap=timedelta(seconds=self.retry_max_seconds),
            retry_for=timedelta(seconds=self.retry_for_seconds),
        )


def read_webhook_settings(env: Env) -> WebhookSettings:
    positive = {"validate": lambda value: value > 0}
    return WebhookSettings(
        allow_http=env.bool("WEBHOOK_ALLOW_HTTP", False),
        allow_private_targets=env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", False),
        timeout_seconds=env.float("WEBHOOK_TIMEOUT_SECONDS", 5.0, **positive),
        retry_base_seconds=env.float("WEBHOOK_RETRY_BASE_SECONDS", 10.0, **positive),
        retry_max_seconds=env.float("WEBHOOK_RETRY_MAX_SECONDS", 3600.0, **positive),
        retry_for_seconds=env.int("WEBHOOK_RETRY_FOR_SECONDS", 86400, **positive),
        retention_days=env.int("WEBHOOK_RETENTION_DAYS", 30, **positive),
        consumer_group=env.str("WEBHOOK_CONSUMER_GROUP", "webhooks"),
    )
