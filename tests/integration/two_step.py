"""A user of the API with an authenticator app: pyotp makes the codes, from the secret the API
hands out and at the time of the API's clock (moved to the middle of a 30-second step, so that a
test does not straddle two steps by chance)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import psycopg
import pyotp
from joserfc import jwt
from joserfc.jwk import KeySet

from adapters.settings import Settings
from adapters.tokens import load_keys
from tests.integration.api_client import Api, ShiftedClock

PASSWORD = "s3cret-pass"
STEP = timedelta(seconds=30)


async def outbox_events(db: psycopg.AsyncConnection, event_type: str) -> list[dict[str, Any]]:
    """The payloads of the events of this type in the outbox, oldest first."""
    cursor = await db.execute(
        "SELECT payload FROM outbox WHERE type = %s ORDER BY id", (event_type,)
    )
    return [payload for (payload,) in await cursor.fetchall()]


@dataclass
class Enrolled:
    secret: str
    recovery_codes: list[str]


class TwoStep:
    def __init__(self, api: Api, clock: ShiftedClock, settings: Settings) -> None:
        self.api = api
        self.client = api.client
        self.clock = clock
        self.settings = settings
        # 10 s into a step now: 20 s before the next one.
        clock.offset = timedelta(seconds=10 - time.time() % 30)

    def code(self, secret: str, steps: int = 0) -> str:
        """The code the app shows `steps` steps from now (by the API's clock)."""
        return pyotp.TOTP(secret).at(self.clock.now() + steps * STEP)

    def next_step(self, steps: int = 1) -> None:
        self.clock.offset += steps * STEP

    async def signed_up(self, name: str = "alice") -> dict[str, str]:
        return await self.api.signed_up(username=name, email=f"{name}@example.com")

    async def enrol(self, headers: dict[str, str]) -> Enrolled:
        """Turn two-step sign-in on; the clock moves on a step, past the code that confirmed."""
        started = await self.client.post(
            "/api/v1/mfa/totp", json={"current_password": PASSWORD}, headers=headers
        )
        assert started.status_code == 201, started.text
        secret = started.json()["secret"]
        confirmed = await self.client.post(
            "/api/v1/mfa/totp/confirm", json={"code": self.code(secret)}, headers=headers
        )
        assert confirmed.status_code == 200, confirmed.text
        self.next_step()
        return Enrolled(secret, confirmed.json()["recovery_codes"])

    async def password_step(self, name: str = "alice") -> httpx.Response:
        return await self.api.login(name, PASSWORD)

    async def mfa_token(self, name: str = "alice") -> str:
        response = await self.password_step(name)
        assert response.status_code == 403, response.text
        return str(response.json()["mfa_token"])

    async def second_step(self, mfa_token: str, **factor: str) -> httpx.Response:
        return await self.client.post("/api/v1/token/mfa", json={"mfa_token": mfa_token, **factor})

    async def signed_in(self, secret: str, name: str = "alice") -> dict[str, Any]:
        """Both steps with the current code; the clock moves on a step after it."""
        response = await self.second_step(await self.mfa_token(name), code=self.code(secret))
        assert response.status_code == 200, response.text
        self.next_step()
        return dict(response.json())

    def claims(self, access_token: str) -> dict[str, Any]:
        keys = KeySet(list(load_keys(self.settings.jwt_key_dir)))
        return dict(jwt.decode(access_token, keys).claims)

    async def status(self, headers: dict[str, str]) -> dict[str, Any]:
        response = await self.client.get("/api/v1/mfa", headers=headers)
        assert response.status_code == 200, response.text
        return dict(response.json())
