"""Refresh tokens through the API on the real PostgreSQL and Redis: rotation, reuse, logout,
expiry, concurrency, and what a password change or a deletion does to tokens already out."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from joserfc import jwt

from adapters.settings import Settings
from adapters.tokens import load_keys
from core.domain import RateLimit, RefreshToken, User
from core.ports import UnitOfWorkFactory
from tests.integration.api_client import Api, ShiftedClock, api_with, assert_problem

PASSWORD = "s3cret-pass"


async def _session(api: Api, username: str = "alice", password: str = PASSWORD) -> dict[str, str]:
    response = await api.login(username, password)
    assert response.status_code == 200, response.text
    return response.json()


def _bearer(session: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['access_token']}"}


async def _refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post("/api/v1/token/refresh", json={"refresh_token": refresh_token})


async def _refused(client: httpx.AsyncClient, refresh_token: str) -> None:
    response = await _refresh(client, refresh_token)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_grant"'


async def _stored(db) -> list[tuple]:
    cursor = await db.execute(
        "SELECT token_hash, family_id, revoked_at IS NOT NULL"
        " FROM refresh_tokens ORDER BY created_at"
    )
    return await cursor.fetchall()


async def test_login_returns_a_refresh_token_stored_only_as_its_sha256(api: Api, db) -> None:
    await api.register()

    session = await _session(api)

    assert session.keys() == {"access_token", "token_type", "expires_in", "refresh_token"}
    secret = session["refresh_token"]
    assert len(secret) >= 43
    ((token_hash, _, revoked),) = await _stored(db)
    assert token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert not revoked
    row = await (await db.execute("SELECT expires_at - created_at FROM refresh_tokens")).fetchone()
    assert row[0] == timedelta(days=30)


async def test_refresh_returns_a_new_pair_and_the_old_refresh_token_is_used_up(
    api: Api,
    db,
) -> None:
    await api.register()
    session = await _session(api)

    response = await _refresh(api.client, session["refresh_token"])

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    renewed = response.json()
    assert renewed["token_type"] == "Bearer"
    assert renewed["expires_in"] == 900
    assert renewed["refresh_token"] != session["refresh_token"]
    profile = await api.client.get("/api/v1/users", headers=_bearer(renewed))
    assert profile.json()["username"] == "alice"
    (_, family, revoked_first), (_, same_family, revoked_second) = await _stored(db)
    assert (family, revoked_first, revoked_second) == (same_family, True, False)


async def test_reusing_a_refresh_token_after_the_grace_period_revokes_its_family(
    timed_api: Api, clock: ShiftedClock, settings: Settings
) -> None:
    api = timed_api
    await api.register()
    session = await _session(api)
    other_device = await _session(api)
    renewed = (await _refresh(api.client, session["refresh_token"])).json()
    clock.offset = timedelta(seconds=settings.refresh_reuse_grace_seconds)

    await _refused(api.client, session["refresh_token"])

    # The thief or the owner, whoever came second: the new token is dead too.
    await _refused(api.client, renewed["refresh_token"])
    # Another login is another family.
    assert (await _refresh(api.client, other_device["refresh_token"])).status_code == 200


async def test_refresh_with_an_oauth2_refresh_grant_form(api: Api) -> None:
    await api.register()
    session = await _session(api)

    response = await api.client.post(
        "/api/v1/token/refresh",
        data={"grant_type": "refresh_token", "refresh_token": session["refresh_token"]},
    )

    assert response.status_code == 200, response.text
    wrong_grant = await api.client.post(
        "/api/v1/token/refresh",
        data={"grant_type": "password", "refresh_token": response.json()["refresh_token"]},
    )
    assert "grant_type" in assert_problem(wrong_grant, 422)["errors"]


async def test_logout_revokes_the_refresh_token(api: Api) -> None:
    await api.register()
    session = await _session(api)
    renewed = (await _refresh(api.client, session["refresh_token"])).json()

    response = await api.client.post(
        "/api/v1/token/revoke", json={"refresh_token": renewed["refresh_token"]}
    )

    assert response.status_code == 200
    assert response.content == b""
    await _refused(api.client, renewed["refresh_token"])


async def test_revoking_an_unknown_or_dead_token_answers_the_same(api: Api) -> None:
    await api.register()
    session = await _session(api)
    await api.client.post("/api/v1/token/revoke", json={"refresh_token": session["refresh_token"]})

    for token in (session["refresh_token"], "never-issued", "x" * 1024, "\u00e9\u0000"):
        response = await api.client.post("/api/v1/token/revoke", json={"refresh_token": token})
        assert (response.status_code, response.content) == (200, b""), token
    form = await api.client.post(
        "/api/v1/token/revoke",
        data={"refresh_token": "never-issued", "token_type_hint": "refresh_token"},
    )
    assert form.status_code == 200
    missing = await api.client.post("/api/v1/token/revoke", json={})
    assert "refresh_token" in assert_problem(missing, 422)["errors"]


async def test_an_expired_refresh_token_is_refused(api: Api, db) -> None:
    await api.register()
    session = await _session(api)
    await db.execute("UPDATE refresh_tokens SET expires_at = now() - interval '1 second'")

    await _refused(api.client, session["refresh_token"])


async def test_the_ttl_comes_from_the_settings_and_the_clock(
    settings: Settings, migrated: str, clock: ShiftedClock
) -> None:
    async with api_with(settings, clock, refresh_token_ttl_seconds=60) as api:
        await api.register()
        session = await _session(api)
        clock.offset = timedelta(seconds=59)
        renewed = (await _refresh(api.client, session["refresh_token"])).json()
        clock.offset = timedelta(seconds=59 + 61)
        await _refused(api.client, renewed["refresh_token"])


@pytest.mark.parametrize(
    "token",
    ["garbage", "a" * 43, "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "\u0000", "x" * 1024],
)
async def test_forged_or_garbage_refresh_tokens_are_refused(api: Api, token: str) -> None:
    await api.register()
    await _session(api)

    await _refused(api.client, token)


async def test_an_access_token_is_not_a_refresh_token(api: Api) -> None:
    await api.register()
    session = await _session(api)

    await _refused(api.client, session["access_token"])


async def test_malformed_refresh_requests(api: Api) -> None:
    assert_problem(await api.client.post("/api/v1/token/refresh", json={}), 422)
    assert_problem(await api.client.post("/api/v1/token/refresh", json={"refresh_token": ""}), 422)
    assert_problem(
        await api.client.post("/api/v1/token/refresh", json={"refresh_token": "x" * 1025}), 422
    )
    assert_problem(
        await api.client.post(
            "/api/v1/token/refresh", content=b"{", headers={"Content-Type": "application/json"}
        ),
        400,
    )
    assert_problem(
        await api.client.post(
            "/api/v1/token/refresh", content=b"x", headers={"Content-Type": "text/plain"}
        ),
        415,
    )


async def test_a_refresh_token_row_stays_locked_until_its_use_commits(
    api: Api,
    injector,
) -> None:
    await api.register()
    token_hash = hashlib.sha256((await _session(api))["refresh_token"].encode()).hexdigest()
    uow_factory = injector.get(UnitOfWorkFactory)

    async def second_use() -> RefreshToken | None:
        async with uow_factory() as uow:
            return await uow.refresh_tokens.get_for_update(token_hash)

    async with uow_factory() as first:
        token = await first.refresh_tokens.get_for_update(token_hash)
        assert token is not None
        waiting = asyncio.create_task(second_use())
        await asyncio.sleep(0.3)
        assert not waiting.done()
        await first.refresh_tokens.rotate(token.id, uuid.uuid4(), _now())
        await first.commit()
    seen = await asyncio.wait_for(waiting, 5)

    assert seen is not None
    assert seen.revoked_at is not None


async def test_a_password_change_logs_out_every_session(api: Api, db) -> None:
    await api.register()
    sessions = [await _session(api) for _ in range(2)]
    refreshed = (await _refresh(api.client, sessions[1]["refresh_token"])).json()

    changed = await api.client.patch(
        "/api/v1/users",
        json={"password": "n3w-password", "current_password": PASSWORD},
        headers=_bearer(sessions[0]),
    )

    assert changed.status_code == 200, changed.text
    assert all(revoked for _, _, revoked in await _stored(db))
    for session in (*sessions, refreshed):
        await _refused(api.client, session["refresh_token"])
        for method, body in (
            ("GET", None),
            ("PATCH", {"username": "mallory"}),
            ("DELETE", {"password": "n3w-password"}),
        ):
            response = await api.client.request(
                method, "/api/v1/users", json=body, headers=_bearer(session)
            )
            assert_problem(response, 401)
            assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert (await api.login(password=PASSWORD)).status_code == 401

    fresh = await _session(api, password="n3w-password")
    assert (await api.client.get("/api/v1/users", headers=_bearer(fresh))).status_code == 200
    renewed = (await _refresh(api.client, fresh["refresh_token"])).json()
    assert (await api.client.get("/api/v1/users", headers=_bearer(renewed))).status_code == 200


async def test_a_profile_change_without_a_new_password_keeps_the_sessions(api: Api) -> None:
    await api.register()
    session = await _session(api)

    changed = await api.client.patch(
        "/api/v1/users", json={"username": "alice2"}, headers=_bearer(session)
    )

    assert changed.status_code == 200
    assert (await api.client.get("/api/v1/users", headers=_bearer(session))).status_code == 200
    assert (await _refresh(api.client, session["refresh_token"])).status_code == 200


async def test_deleting_the_account_deletes_its_refresh_tokens(api: Api, db) -> None:
    await api.register()
    session = await _session(api)
    await _session(api)

    deleted = await api.client.request(
        "DELETE", "/api/v1/users", json={"password": PASSWORD}, headers=_bearer(session)
    )

    assert deleted.status_code == 204
    assert await _stored(db) == []
    await _refused(api.client, session["refresh_token"])


async def test_a_refresh_token_acts_only_for_its_own_user(api: Api) -> None:
    await api.register()
    await api.register(username="bob", email="bob@example.com")
    alice = await _session(api)
    bob = await _session(api, "bob")

    # Bob sends his refresh token along with Alice's access token: he still only gets Bob.
    response = await api.client.post(
        "/api/v1/token/refresh",
        json={"refresh_token": bob["refresh_token"]},
        headers=_bearer(alice),
    )

    renewed = response.json()
    profile = await api.client.get("/api/v1/users", headers=_bearer(renewed))
    assert profile.json()["username"] == "bob"
    # Alice logging out does not end Bob's session, and Bob's reuse does not end Alice's (her
    # other one: the one she logged out of has ended, its access token with it).
    elsewhere = await _session(api)
    await api.client.post("/api/v1/token/revoke", json={"refresh_token": alice["refresh_token"]})
    assert (await _refresh(api.client, renewed["refresh_token"])).status_code == 200
    await _refused(api.client, bob["refresh_token"])
    assert (await api.client.get("/api/v1/users", headers=_bearer(elsewhere))).status_code == 200
    assert (await api.client.get("/api/v1/users", headers=_bearer(alice))).status_code == 401


async def test_a_token_without_a_version_claim_counts_as_version_zero(
    api: Api, settings: Settings
) -> None:
    await api.register()
    user_id = (await api.client.get("/api/v1/users", headers=_bearer(await _session(api)))).json()[
        "id"
    ]
    key = load_keys(settings.jwt_key_dir)[-1]
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": user_id,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }

    def signed(**extra: object) -> dict[str, str]:
        token = jwt.encode({"alg": "RS256", "kid": key.kid}, {**claims, **extra}, key)
        return {"Authorization": f"Bearer {token}"}

    assert (await api.client.get("/api/v1/users", headers=signed())).status_code == 200
    for bad in ("0", -1, 1.0, True, None):
        response = await api.client.get("/api/v1/users", headers=signed(ver=bad))
        assert_problem(response, 401)
    assert (await api.client.get("/api/v1/users", headers=signed(ver=1))).status_code == 401


async def test_refresh_tokens_only_outlive_a_password_change_they_know(
    api: Api,
    db,
    injector,
) -> None:
    await api.register()
    row = await (await db.execute("SELECT id FROM users")).fetchone()
    alice = User.register(username="alice", email="a@example.com", password_hash="h", now=_now())
    alice = dataclasses.replace(alice, id=row[0])
    await db.execute("UPDATE users SET token_version = 1")
    uow_factory = injector.get(UnitOfWorkFactory)
    day = {"ttl": timedelta(days=1), "family_lifetime": timedelta(days=1)}
    _, behind = RefreshToken.start(alice, now=_now(), **day)
    _, current = RefreshToken.start(dataclasses.replace(alice, token_version=1), now=_now(), **day)
    _, orphan = RefreshToken.start(dataclasses.replace(alice, id=uuid.uuid4()), now=_now(), **day)

    async with uow_factory() as uow:
        assert not await uow.refresh_tokens.add(behind)
        assert not await uow.refresh_tokens.add(orphan)
        assert await uow.refresh_tokens.add(current)
        await uow.commit()

    ((token_hash, _, _),) = await _stored(db)
    assert token_hash == current.token_hash


async def test_the_new_endpoints_count_against_the_token_rate_limit(
    settings: Settings, migrated: str
) -> None:
    tight = {**settings.rate_limits, "token_per_ip": RateLimit(3, 60)}
    async with api_with(settings, rate_limits=tight) as api:
        client = api.client
        revoked = await client.post("/api/v1/token/revoke", json={"refresh_token": "a"})
        assert revoked.headers["ratelimit-limit"] == "3"
        await _refresh(client, "b")
        await client.post("/api/v1/token/access", json={"username": "c", "password": "d"})
        for path in ("/api/v1/token/refresh", "/api/v1/token/revoke"):
            response = await client.post(path, json={"refresh_token": "e"})
            assert_problem(response, 429)
            assert "retry-after" in response.headers


async def test_the_openapi_document_describes_the_new_operations(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()

    refresh = document["paths"]["/api/v1/token/refresh"]["post"]
    revoke = document["paths"]["/api/v1/token/revoke"]["post"]
    assert {"200", "401", "422", "429"} <= refresh["responses"].keys()
    assert {"200", "422", "429"} <= revoke["responses"].keys()
    assert "401" not in revoke["responses"]
    for operation in (refresh, revoke):
        assert operation["requestBody"]["content"].keys() == {
            "application/json",
            "application/x-www-form-urlencoded",
        }
    assert "refresh_token" in document["components"]["schemas"]["Token"]["required"]


def _now() -> datetime:
    return datetime.now(UTC)
