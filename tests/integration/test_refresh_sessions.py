"""A sign-in's session across refreshes, through the API on the real PostgreSQL: two tabs
racing one refresh token, the family's absolute lifetime, and the sign-in time that access
tokens carry."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet

from adapters.settings import Settings
from adapters.tokens import load_keys
from tests.integration.api_client import Api, ShiftedClock, api_with, assert_problem

PASSWORD = "s3cret-pass"


async def _session(api: Api) -> dict[str, str]:
    response = await api.login(password=PASSWORD)
    assert response.status_code == 200, response.text
    return response.json()


async def _refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post("/api/v1/token/refresh", json={"refresh_token": refresh_token})


def _claims(settings: Settings, session: dict[str, str]) -> dict[str, Any]:
    keys = KeySet(list(load_keys(settings.jwt_key_dir)))
    return dict(jwt.decode(session["access_token"], keys).claims)


async def test_two_refreshes_racing_within_the_grace_both_get_the_same_successor(
    api: Api, db
) -> None:
    await api.register()
    for _ in range(5):
        session = await _session(api)

        responses = await asyncio.gather(
            *(_refresh(api.client, session["refresh_token"]) for _ in range(2))
        )

        assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
        first, second = (r.json() for r in responses)
        assert first["refresh_token"] == second["refresh_token"]
        for renewed in (first, second):
            headers = {"Authorization": f"Bearer {renewed['access_token']}"}
            assert (await api.client.get("/api/v1/users", headers=headers)).status_code == 200
        # Both tabs hold the one live successor, and it rotates as any other.
        assert (await _refresh(api.client, first["refresh_token"])).status_code == 200
    cursor = await db.execute(
        "SELECT count(*) FILTER (WHERE rotated_at IS NOT NULL), count(*) FROM refresh_tokens"
    )
    assert await cursor.fetchone() == (10, 15)


async def test_the_family_ends_its_lifetime_after_the_sign_in_however_recently_rotated(
    settings: Settings, migrated: str, clock: ShiftedClock, db
) -> None:
    async with api_with(settings, clock, refresh_family_max_seconds=120) as api:
        await api.register()
        session = await _session(api)
        clock.offset = timedelta(seconds=100)
        renewed = await _refresh(api.client, session["refresh_token"])
        assert renewed.status_code == 200, renewed.text
        clock.offset = timedelta(seconds=121)

        response = await _refresh(api.client, renewed.json()["refresh_token"])

        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == 'Bearer error="invalid_grant"'
    cursor = await db.execute("SELECT DISTINCT expires_at - auth_time FROM refresh_tokens")
    assert await cursor.fetchall() == [(timedelta(seconds=120),)]


async def test_access_tokens_carry_the_sign_in_time_unchanged_by_refreshes(
    timed_api: Api, clock: ShiftedClock, settings: Settings
) -> None:
    await timed_api.register()
    session = await _session(timed_api)
    clock.offset = timedelta(minutes=5)
    renewed = (await _refresh(timed_api.client, session["refresh_token"])).json()
    raced = (await _refresh(timed_api.client, session["refresh_token"])).json()

    signed_in = _claims(settings, session)
    assert abs(signed_in["auth_time"] - time.time()) < 5
    for later in (renewed, raced):
        claims = _claims(settings, later)
        assert claims["auth_time"] == signed_in["auth_time"]
        assert claims["iat"] >= signed_in["iat"] + 300
