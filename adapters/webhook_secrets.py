"""Webhook endpoints' signing secrets sealed for the database.

The key is a file beside the signing keys (`WEBHOOK_KEY_FILE`, made by `ops/keys ensure`), read
by the web process (which seals a new secret) and the worker (which signs with it). Replacing
the key makes every stored secret unreadable: deliveries then fail until each endpoint gets a
new secret (`POST /api/v1/admin/webhooks/{id}/secret`)."""

from __future__ import annotations

import logging

from adapters.sealed_secrets import AesGcmSealedSecrets

log = logging.getLogger("adapters.webhook_secrets")


class AesGcmWebhookSecrets(AesGcmSealedSecrets):
    """Sealed with the endpoint's id as associated data."""

    def __init__(self, key: bytes) -> None:
        super().__init__(key, "webhook", "endpoint_id", log)
