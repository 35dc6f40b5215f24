"""Sessions through the API on the real services: each sign-in is one, listed with where and how
it signed in; ending one refuses its access token on the next request and its refresh token;
a sign-in from a new device and address mails its owner once. Client addresses come through a
trusted proxy (X-Forwarded-For), as behind a load balancer."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import psycopg
import pytest

from adapters.settings import Settings
from adapters.tokens import JwtTokens, load_keys
from tests.integration.api_client import Api, ShiftedClock, api_with, assert_problem
from tests.integration.two_step import outbox_events

PASSWORD = "s3cret-pass"
LAPTOP = {"User-Agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Firefox/127.0"}
PHONE = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1"}


@pytest.fixture
async def proxied(settings: Settings, migrated: str, clock: ShiftedClock) -> AsyncIterator[Api]:
    """The API behind a trusted proxy on this machine, on `clock`."""
    async with api_with(settings, clock, trusted_proxies=("127.0.0.1",)) as api:
        yield api


async def _sign_in(api: Api, device: dict[str, str], ip: str, name: str = "alice") -> Any:
    response = await api.client.post(
        "/api/v1/token/access",
        json={"username": name, "password": PASSWORD},
        headers={**device, "X-Forwarded-For": ip},
    )
    assert response.status_code == 200, response.text
    return response.json()


def _bearer(session: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['access_token']}"}


async def _sessions(api: Api, session: dict[str, str]) -> list[dict[str, Any]]:
    response = await api.client.get("/api/v1/sessions", headers=_bearer(session))
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


async def _refresh(api: Api, session: dict[str, str]) -> httpx.Response:
    return await api.client.post(
        "/api/v1/token/refresh", json={"refresh_token": session["refresh_token"]}
    )


async def test_the_list_says_where_when_and_how_each_session_signed_in(proxied: Api) -> None:
    await proxied.register()
    laptop = await _sign_in(proxied, LAPTOP, "198.51.100.7")
    phone = await _sign_in(proxied, PHONE, "2001:db8::7")

    listed = await _sessions(proxied, laptop)

    assert [(s["device"], s["ip"], s["amr"], s["current"]) for s in listed] == [
        ("Safari on iPhone", "2001:db8::7", ["pwd"], False),
        ("Firefox on macOS", "198.51.100.7", ["pwd"], True),
    ], "the most recently used first; `current` is the caller's"
    assert all(s["provider"] is None for s in listed)
    assert all(s["created_at"] == s["last_used_at"] for s in listed)
    assert [s["current"] for s in await _sessions(proxied, phone)] == [True, False]


async def test_a_session_ended_from_another_refuses_its_tokens_from_the_next_request(
    proxied: Api, db: psycopg.AsyncConnection
) -> None:
    await proxied.register()
    laptop = await _sign_in(proxied, LAPTOP, "198.51.100.7")
    phone = await _sign_in(proxied, PHONE, "198.51.100.8")
    assert (await proxied.client.get("/api/v1/users", headers=_bearer(phone))).status_code == 200
    (phone_session,) = [s for s in await _sessions(proxied, laptop) if not s["current"]]

    ended = await proxied.client.delete(
        f"/api/v1/sessions/{phone_session['id']}",
        headers={**_bearer(laptop), **LAPTOP, "X-Forwarded-For": "198.51.100.7"},
    )

    assert ended.status_code == 204, ended.text
    refused = await proxied.client.get("/api/v1/users", headers=_bearer(phone))
    assert "session has ended" in str(assert_problem(refused, 401)["detail"])
    assert_problem(await _refresh(proxied, phone), 401)
    assert (await proxied.client.get("/api/v1/users", headers=_bearer(laptop))).status_code == 200
    assert [s["device"] for s in await _sessions(proxied, laptop)] == ["Firefox on macOS"]
    cursor = await db.execute(
        "SELECT ip, device, details FROM audit_events WHERE type = 'session.ended'"
    )
    ((ip, device, details),) = await cursor.fetchall()
    assert (ip, device) == ("198.51.100.7", "Firefox on macOS"), "the session that ended it"
    assert details["ended_by"] == "other_session"
    assert details["session_device"] == "Safari on iPhone"
    (public,) = [
        payload
        for (payload,) in await (
            await db.execute("SELECT payload FROM outbox WHERE topic = 'public'")
        ).fetchall()
        if payload["type"] == "session.ended"
    ]
    assert public["sid"] == phone_session["id"]


async def test_ending_every_other_session_keeps_the_current_one(proxied: Api) -> None:
    await proxied.register()
    laptop = await _sign_in(proxied, LAPTOP, "198.51.100.7")
    others = [await _sign_in(proxied, PHONE, f"198.51.100.{i}") for i in (8, 9)]

    response = await proxied.client.delete("/api/v1/sessions", headers=_bearer(laptop))

    assert response.status_code == 204, response.text
    for other in others:
        assert_problem(await proxied.client.get("/api/v1/users", headers=_bearer(other)), 401)
        assert_problem(await _refresh(proxied, other), 401)
    assert [s["current"] for s in await _sessions(proxied, laptop)] == [True]
    assert (await _refresh(proxied, laptop)).status_code == 200


async def test_ending_the_current_session_is_allowed_and_ends_it(proxied: Api) -> None:
    await proxied.register()
    laptop = await _sign_in(proxied, LAPTOP, "198.51.100.7")
    (own,) = await _sessions(proxied, laptop)

    response = await proxied.client.delete(f"/api/v1/sessions/{own['id']}", headers=_bearer(laptop))

    assert response.status_code == 204
    assert_problem(await proxied.client.get("/api/v1/sessions", headers=_bearer(laptop)), 401)


async def test_another_users_session_an_unknown_one_and_an_ended_one_are_not_found(
    proxied: Api,
) -> None:
    await proxied.register()
    await proxied.register(username="bob", email="bob@example.com")
    alice = await _sign_in(proxied, LAPTOP, "198.51.100.7")
    gone = await _sign_in(proxied, PHONE, "198.51.100.8")
    bob = await _sign_in(proxied, LAPTOP, "203.0.113.5", name="bob")
    (bobs,) = await _sessions(proxied, bob)
    (gone_id,) = [s["id"] for s in await _sessions(proxied, alice) if not s["current"]]
    await proxied.client.delete(f"/api/v1/sessions/{gone_id}", headers=_bearer(alice))

    for session_id in (bobs["id"], str(uuid.uuid4()), gone_id):
        response = await proxied.client.delete(
            f"/api/v1/sessions/{session_id}", headers=_bearer(alice)
        )
        assert_problem(response, 404)
    assert (await proxied.client.get("/api/v1/users", headers=_bearer(bob))).status_code == 200
    assert gone  # signed out by Alice's other session, not by these attempts


async def test_signing_out_ends_the_session_and_its_access_token(
    api: Api, db: psycopg.AsyncConnection
) -> None:
    await api.register()
    session = (await api.login()).json()

    await api.client.post("/api/v1/token/revoke", json={"refresh_token": session["refresh_token"]})

    assert_problem(await api.client.get("/api/v1/users", headers=_bearer(session)), 401)
    cursor = await db.execute("SELECT details FROM audit_events WHERE type = 'session.ended'")
    assert [d["ended_by"] for (d,) in await cursor.fetchall()] == ["self"]
    assert [e["type"] for e in await outbox_events(db, "session.ended")] == ["session.ended"]


async def test_a_token_from_before_sessions_names_none_and_lasts_until_it_expires(
    api: Api, settings: Settings, clock: ShiftedClock
) -> None:
    await api.register()
    session = (await api.login()).json()
    user_id = (await api.client.get("/api/v1/users", headers=_bearer(session))).json()["id"]
    old = JwtTokens(
        load_keys(settings.jwt_key_dir),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=settings.jwt_ttl_seconds,
        clock=clock,
    ).issue(uuid.UUID(user_id))

    await api.client.post("/api/v1/token/revoke", json={"refresh_token": session["refresh_token"]})

    assert_problem(await api.client.get("/api/v1/users", headers=_bearer(session)), 401)
    headers = {"Authorization": f"Bearer {old.token}"}
    assert (await api.client.get("/api/v1/users", headers=headers)).status_code == 200


async def test_last_use_is_written_at_most_once_a_minute(
    proxied: Api, clock: ShiftedClock, db: psycopg.AsyncConnection
) -> None:
    await proxied.register()
    session = await _sign_in(proxied, LAPTOP, "198.51.100.7")
    signed_in_at = (await _sessions(proxied, session))[0]["last_used_at"]
    cursor = await db.execute("SELECT xmin::text FROM sessions")
    (version,) = await cursor.fetchone()  # type: ignore[misc]

    clock.offset += timedelta(seconds=30)
    session = (await _refresh(proxied, session)).json()
    cursor = await db.execute("SELECT xmin::text FROM sessions")
    assert await cursor.fetchone() == (version,), "a use within the minute writes nothing"
    assert (await _sessions(proxied, session))[0]["last_used_at"] == signed_in_at

    clock.offset += timedelta(seconds=31)
    session = (await _refresh(proxied, session)).json()
    (listed,) = await _sessions(proxied, session)
    assert listed["last_used_at"] > signed_in_at
    assert listed["created_at"] == signed_in_at


async def test_a_new_device_and_address_is_mailed_once_a_known_one_never(
    proxied: Api, db: psycopg.AsyncConnection
) -> None:
    await proxied.register()
    await _sign_in(proxied, LAPTOP, "198.51.100.7")
    await _sign_in(proxied, LAPTOP, "198.51.100.7")
    assert await outbox_events(db, "user.new_sign_in") == [], "the first sign-in, then a known one"

    await _sign_in(proxied, PHONE, "203.0.113.9")
    await _sign_in(proxied, PHONE, "203.0.113.9")

    (notice,) = await outbox_events(db, "user.new_sign_in")
    assert (notice["device"], notice["ip"]) == ("Safari on iPhone", "203.0.113.9")
    assert notice["email"] == "alice@example.com"


async def test_an_address_in_a_known_ipv6_network_is_no_news(
    proxied: Api, db: psycopg.AsyncConnection
) -> None:
    await proxied.register()
    await _sign_in(proxied, LAPTOP, "2001:db8:1:2::10")

    await _sign_in(proxied, LAPTOP, "2001:db8:1:2::99")  # the same /64
    await _sign_in(proxied, LAPTOP, "2001:db8:1:3::10")  # another one

    (notice,) = await outbox_events(db, "user.new_sign_in")
    assert notice["ip"] == "2001:db8:1:3::10"
