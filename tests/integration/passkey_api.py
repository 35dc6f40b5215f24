"""A user of the API with a passkey: the ceremonies through the API's routes, answered by a
software authenticator as a browser with a platform authenticator answers them."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
from joserfc import jwt
from joserfc.jwk import KeySet

from adapters.settings import Settings
from adapters.tokens import load_keys
from tests.integration.api_client import Api
from tests.webauthn_authenticator import SoftwareAuthenticator

PASSWORD = "s3cret-pass"


class PasskeyUser:
    """Alice (by default), who signs up through the API and keeps her passkey on `phone`."""

    def __init__(self, api: Api, settings: Settings, db: psycopg.AsyncConnection) -> None:
        self.api = api
        self.client = api.client
        self.settings = settings
        self.db = db
        self.phone = SoftwareAuthenticator()

    async def signed_up(self, name: str = "alice") -> dict[str, str]:
        return await self.api.signed_up(username=name, email=f"{name}@example.com")

    async def registration_options(
        self, headers: dict[str, str], **reauthentication: Any
    ) -> httpx.Response:
        body = {"current_password": PASSWORD, **reauthentication}
        return await self.client.post("/api/v1/mfa/passkeys/options", json=body, headers=headers)

    async def finish_registration(
        self, headers: dict[str, str], challenge_id: str, credential: Any, **more: Any
    ) -> httpx.Response:
        body = {"challenge_id": challenge_id, "credential": credential, **more}
        return await self.client.post("/api/v1/mfa/passkeys", json=body, headers=headers)

    async def add_passkey(
        self,
        headers: dict[str, str],
        authenticator: SoftwareAuthenticator | None = None,
        **more: Any,
    ) -> dict[str, Any]:
        """Both steps of adding a passkey (re-authenticating with `more` beyond the password);
        returns the passkey as the API shows it."""
        name = {"name": more.pop("name")} if "name" in more else {}
        started = await self.registration_options(headers, **more)
        assert started.status_code == 200, started.text
        ceremony = started.json()
        answer = (authenticator or self.phone).create(ceremony["options"])
        added = await self.finish_registration(headers, ceremony["challenge_id"], answer, **name)
        assert added.status_code == 201, added.text
        return dict(added.json())

    async def step_up(self, headers: dict[str, str], **knobs: Any) -> dict[str, Any]:
        """A passkey's answer to a step-up challenge, for a sensitive change."""
        begun = await self.client.post("/api/v1/mfa/passkeys/step-up-options", headers=headers)
        assert begun.status_code == 200, begun.text
        ceremony = begun.json()
        return {
            "challenge_id": ceremony["challenge_id"],
            "credential": self.phone.get(ceremony["options"], **knobs),
        }

    async def sign_in_options(self) -> dict[str, Any]:
        begun = await self.client.post("/api/v1/token/passkey/options")
        assert begun.status_code == 200, begun.text
        return dict(begun.json())

    async def sign_in(self, **knobs: Any) -> httpx.Response:
        """Sign in with the passkey alone, answering with `knobs` set."""
        ceremony = await self.sign_in_options()
        answer = self.phone.get(ceremony["options"], **knobs)
        return await self.answer_sign_in(ceremony["challenge_id"], answer)

    async def answer_sign_in(self, challenge_id: str, credential: Any) -> httpx.Response:
        body = {"challenge_id": challenge_id, "credential": credential}
        return await self.client.post("/api/v1/token/passkey", json=body)

    async def mfa_token(self, name: str = "alice") -> str:
        response = await self.api.login(name, PASSWORD)
        assert response.status_code == 403, response.text
        return str(response.json()["mfa_token"])

    async def second_step(self, mfa_token: str, **knobs: Any) -> httpx.Response:
        """The second step with the passkey, after the password step gave `mfa_token`."""
        begun = await self.client.post(
            "/api/v1/token/mfa/passkey-options", json={"mfa_token": mfa_token}
        )
        assert begun.status_code == 200, begun.text
        ceremony = begun.json()
        answer = self.phone.get(ceremony["options"], **knobs)
        passkey = {"challenge_id": ceremony["challenge_id"], "credential": answer}
        return await self.client.post(
            "/api/v1/token/mfa", json={"mfa_token": mfa_token, "passkey": passkey}
        )

    def claims(self, access_token: str) -> dict[str, Any]:
        keys = KeySet(list(load_keys(self.settings.jwt_key_dir)))
        return dict(jwt.decode(access_token, keys).claims)

    async def passkeys(self, headers: dict[str, str]) -> list[dict[str, Any]]:
        status = await self.client.get("/api/v1/mfa", headers=headers)
        assert status.status_code == 200, status.text
        return list(status.json()["passkeys"])

    # --- what the database holds ------------------------------------------------------------

    async def sign_counts(self) -> list[int]:
        cursor = await self.db.execute("SELECT sign_count FROM passkeys ORDER BY created_at")
        return [count for (count,) in await cursor.fetchall()]

    async def sessions(self) -> int:
        cursor = await self.db.execute("SELECT count(*) FROM refresh_tokens")
        row = await cursor.fetchone()
        assert row is not None
        return int(row[0])

    async def audit(self) -> list[tuple[str, dict[str, Any]]]:
        cursor = await self.db.execute("SELECT type, details FROM audit_events ORDER BY at, id")
        return [(kind, details) for (kind, details) in await cursor.fetchall()]

    async def expire_challenge(self, challenge_id: str) -> None:
        await self.db.execute(
            "UPDATE webauthn_challenges SET expires_at = now() - interval '1 second' WHERE id = %s",
            (challenge_id,),
        )
