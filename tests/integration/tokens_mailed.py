"""The secrets of mailed tokens, found as the mailer finds them: the token id in the outbox
event, and the key that derives the secret from it (the outbox alone holds no secret)."""

from __future__ import annotations

import uuid

from adapters.action_token_secrets import HmacActionTokenSecrets


class MailedTokens:
    def __init__(self, db, secrets: HmacActionTokenSecrets) -> None:
        self._db = db
        self._secrets = secrets

    async def latest(self, event_type: str, email: str) -> str:
        """The secret the newest `event_type` mail to `email` carries."""
        row = await (
            await self._db.execute(
                "SELECT payload->>'token_id' FROM outbox WHERE type = %s"
                " AND payload->>'email' = %s ORDER BY id DESC LIMIT 1",
                (event_type, email),
            )
        ).fetchone()
        assert row is not None, f"no {event_type} event for {email}"
        return self._secrets.secret_for(uuid.UUID(row[0]), email)

    async def verification(self, email: str = "alice@example.com") -> str:
        return await self.latest("user.verification_requested", email)

    async def reset(self, email: str = "alice@example.com") -> str:
        return await self.latest("user.password_reset_requested", email)

    async def cancellation(self, email: str = "alice@example.com") -> str:
        return await self.latest("user.email_change_requested", email)

    async def reversion(self, email: str = "alice@example.com") -> str:
        return await self.latest("user.email_changed", email)
