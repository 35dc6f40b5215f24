"""Logging in, and every way a forged or stale token must fail."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import argon2
import httpx
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from adapters.settings import Settings
from adapters.tokens import JwtTokens, load_keys
from core.ports import UnitOfWorkFactory
from tests.integration.api_client import Api, assert_problem


class _At:
    def __init__(self, when: datetime) -> None:
        self.when = when

    def now(self) -> datetime:
        return self.when


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(settings: Settings, sub: str, **overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": sub,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    return claims


async def _user_id(api: Api) -> str:
    auth = await api.signed_up()
    return str((await api.client.get("/api/v1/users", headers=auth)).json()["id"])


async def _rejected(client: httpx.AsyncClient, token: str) -> None:
    response = await client.get("/api/v1/users", headers={"Authorization": f"Bearer {token}"})
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_login_by_username_or_email_returns_a_bearer_token(api: Api) -> None:
    await api.register(username="dora", email="Dora@Example.com")
    for login in ("dora", "DORA", "dora@example.com", "DORA@EXAMPLE.COM"):
        response = await api.login(login)
        assert response.status_code == 200, login
        body = response.json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 900
        assert response.headers["cache-control"] == "no-store"
        profile = await api.client.get(
            "/api/v1/users", headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert profile.json()["username"] == "dora"


async def test_login_with_an_oauth2_password_grant_form(api: Api) -> None:
    await api.register()
    response = await api.client.post(
        "/api/v1/token/access",
        data={"grant_type": "password", "username": "alice", "password": "s3cret-pass"},
    )
    assert response.status_code == 200
    assert response.json()["token_type"] == "Bearer"
    response = await api.client.post(
        "/api/v1/token/access",
        data={"grant_type": "client_credentials", "username": "alice", "password": "x"},
    )
    assert "grant_type" in assert_problem(response, 422)["errors"]


async def test_wrong_password_and_unknown_user_fail_alike(api: Api) -> None:
    await api.register()
    wrong = await api.login(password="not-the-password")
    unknown = await api.login(username="nobody-here")
    for response in (wrong, unknown):
        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"
    strip = {"request_id"}
    assert {k: v for k, v in wrong.json().items() if k not in strip} == {
        k: v for k, v in unknown.json().items() if k not in strip
    }


async def test_token_claims_and_header(api: Api, settings: Settings) -> None:
    await api.register()
    token = await api.token()
    keys = KeySet.import_key_set((await api.client.get("/.well-known/jwks.json")).json())
    decoded = jwt.decode(token, keys, algorithms=["RS256"])
    assert decoded.header["alg"] == "RS256"
    assert decoded.header["kid"] == load_keys(settings.jwt_key_dir)[-1].kid
    assert decoded.claims.keys() >= {"sub", "iat", "nbf", "exp", "iss", "aud", "jti"}
    assert decoded.claims["exp"] - decoded.claims["iat"] == settings.jwt_ttl_seconds
    assert decoded.claims["iss"] == settings.jwt_issuer
    assert decoded.claims["aud"] == settings.jwt_audience


async def test_jwks_has_only_public_keys(client: httpx.AsyncClient) -> None:
    body = (await client.get("/.well-known/jwks.json")).json()
    assert body["keys"]
    for key in body["keys"]:
        assert key["kty"] == "RSA"
        assert "kid" in key
        assert "d" not in key
        assert "p" not in key


async def test_alg_none_is_rejected(api: Api, settings: Settings) -> None:
    sub = await _user_id(api)
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(_claims(settings, sub)).encode())
    await _rejected(api.client, f"{header}.{payload}.")


async def test_hs256_signed_with_the_public_key_is_rejected(api: Api, settings: Settings) -> None:
    sub = await _user_id(api)
    key = load_keys(settings.jwt_key_dir)[-1]
    public_pem = key.as_pem(private=False)
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": key.kid}).encode())
    payload = _b64(json.dumps(_claims(settings, sub)).encode())
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    await _rejected(api.client, f"{header}.{payload}.{_b64(signature)}")


async def test_expired_token_is_rejected(api: Api, settings: Settings) -> None:
    sub = uuid.UUID(await _user_id(api))
    past = JwtTokens(
        load_keys(settings.jwt_key_dir),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=settings.jwt_ttl_seconds,
        clock=_At(datetime.now(UTC) - timedelta(hours=1)),
    )
    await _rejected(api.client, past.issue(sub).token)


async def test_token_not_yet_valid_is_rejected(api: Api, settings: Settings) -> None:
    sub = uuid.UUID(await _user_id(api))
    future = JwtTokens(
        load_keys(settings.jwt_key_dir),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=settings.jwt_ttl_seconds,
        clock=_At(datetime.now(UTC) + timedelta(hours=1)),
    )
    await _rejected(api.client, future.issue(sub).token)


async def test_wrong_audience_or_issuer_is_rejected(api: Api, settings: Settings) -> None:
    sub = uuid.UUID(await _user_id(api))
    for change in ({"jwt_audience": "another-api"}, {"jwt_issuer": "someone-else"}):
        other = dataclasses.replace(settings, **change)
        tokens = JwtTokens(
            load_keys(settings.jwt_key_dir),
            issuer=other.jwt_issuer,
            audience=other.jwt_audience,
            ttl_seconds=60,
            clock=_At(datetime.now(UTC)),
        )
        await _rejected(api.client, tokens.issue(sub).token)


async def test_token_signed_by_another_key_is_rejected(api: Api, settings: Settings) -> None:
    sub = await _user_id(api)
    ours = load_keys(settings.jwt_key_dir)[-1]
    stranger = RSAKey.generate_key(2048, private=True)
    # Same kid as ours, so only the signature can tell them apart.
    token = jwt.encode({"alg": "RS256", "kid": ours.kid}, _claims(settings, sub), stranger)
    await _rejected(api.client, token)


async def test_tampered_and_garbage_tokens_are_rejected(api: Api) -> None:
    await api.register()
    token = await api.token()
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = str(uuid.uuid4())
    forged = f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"
    await _rejected(api.client, forged)
    for garbage in ("abc", "a.b.c", "", "Bearer"):
        await _rejected(api.client, garbage)
    response = await api.client.get("/api/v1/users", headers={"Authorization": f"Basic {token}"})
    assert_problem(response, 401)


async def test_login_rehashes_a_password_hashed_with_old_parameters(api: Api, db) -> None:
    await api.register()
    old = argon2.PasswordHasher(time_cost=2, memory_cost=16, parallelism=1).hash("s3cret-pass")
    await db.execute("UPDATE users SET password_hash = %s", (old,))
    assert (await api.login()).status_code == 200
    row = await (await db.execute("SELECT password_hash FROM users")).fetchone()
    assert row[0] != old
    assert (await api.login()).status_code == 200


async def test_rehash_does_not_undo_a_password_changed_meanwhile(api: Api, db, injector) -> None:
    await api.register()
    row = await (await db.execute("SELECT id, password_hash FROM users")).fetchone()
    user_id, read_by_slow_login = row
    await db.execute("UPDATE users SET password_hash = 'changed-meanwhile'")
    async with injector.get(UnitOfWorkFactory)() as uow:
        await uow.users.set_password_hash(user_id, "upgraded-old", replacing=read_by_slow_login)
        await uow.commit()
    stored = await (await db.execute("SELECT password_hash FROM users")).fetchone()
    assert stored[0] == "changed-meanwhile"


async def test_control_characters_in_the_login_name_are_422(client: httpx.AsyncClient) -> None:
    for name in ("a\u0000b", "tab\there", "bell\u0007"):
        response = await client.post(
            "/api/v1/token/access", json={"username": name, "password": "whatever1"}
        )
        assert "username" in assert_problem(response, 422)["errors"]
