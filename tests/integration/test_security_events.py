"""The audit trail through the API, on the real PostgreSQL and Redis: what each security
event records, how its pages are cut, and the notices it sends through the outbox."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
from injector import Injector

from adapters.bootstrap.worker import worker_injector
from adapters.lifecycle import Lifecycle
from adapters.settings import Settings
from core.housekeeping.prune_audit_trail import PruneAuditTrail
from tests.integration.api_client import Api, assert_problem
from tests.integration.tokens_mailed import MailedTokens

EVENTS = "/api/v1/users/security-events"
FIREFOX = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"}


async def _events(api: Api, auth: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await api.client.get(EVENTS, params=params, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def _types(api: Api, auth: dict[str, str]) -> list[str]:
    return [e["type"] for e in (await _events(api, auth, limit=100))["items"]]


async def _outbox_types(db) -> list[str]:  # type: ignore[no-untyped-def]
    rows = await (await db.execute("SELECT type FROM outbox ORDER BY id")).fetchall()
    return [row[0] for row in rows]


async def test_the_trail_lists_what_happened_newest_first_with_address_and_device(
    api: Api, mailed: MailedTokens
) -> None:
    assert (await api.register()).status_code == 201
    await api.client.post(
        "/api/v1/token/access", json={"username": "alice", "password": "wrong"}, headers=FIREFOX
    )
    login = await api.client.post(
        "/api/v1/token/access",
        json={"username": "alice", "password": "s3cret-pass"},
        headers=FIREFOX,
    )
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert (await api.change_email(auth, "alice@example.org")).status_code == 200
    confirmed = await api.confirm_email(await mailed.verification("alice@example.org"))
    assert confirmed.status_code == 204

    page = await _events(api, auth)

    assert [e["type"] for e in page["items"]] == [
        "email_change.confirmed",
        "email_change.requested",
        "sign_in.succeeded",
        "sign_in.failed",
    ]
    assert page["next_cursor"] is None
    confirmed_event, requested, signed_in, failed = page["items"]
    assert confirmed_event["details"] == {
        "previous_email": "alice@example.com",
        "new_email": "alice@example.org",
    }
    assert requested["details"] == {"new_email": "alice@example.org"}
    assert signed_in == {
        "type": "sign_in.succeeded",
        "at": signed_in["at"],
        "ip": "127.0.0.1",
        "device": "Firefox on Linux",
        "details": {"method": "password"},
    }
    assert failed["details"] == {"reason": "wrong_password", "during": "sign_in"}
    assert requested["device"].startswith("python-httpx")


async def test_pages_follow_the_cursor_while_new_events_arrive(api: Api) -> None:
    auth = await api.signed_up()
    for _ in range(11):
        await api.login(password="wrong")  # each failure costs a slot: keep under the lockout
        await api.login()
    before = await _events(api, auth, limit=100)
    expected = [(e["type"], e["at"]) for e in before["items"]]
    assert len(expected) == 12 + 11

    listed: list[tuple[str, str]] = []
    cursor = None
    while True:
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        page, _ = await asyncio.gather(_events(api, auth, **params), api.login())
        listed += [(e["type"], e["at"]) for e in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    # Sign-ins recorded while paging are newer than the first page: none shows up in the pages
    # that follow it, and every event that was there at the start appears once.
    new = set(listed) - set(expected)
    assert len(new) <= 1, "only a sign-in racing the first page can be on it"
    assert [e for e in listed if e not in new] == expected


async def test_bad_paging_parameters_are_422(api: Api) -> None:
    auth = await api.signed_up()
    for params, field in (
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "x" * 300}, "cursor"),
    ):
        response = await api.client.get(EVENTS, params=params, headers=auth)
        errors = assert_problem(response, 422)["errors"]
        assert isinstance(errors, dict)
        assert list(errors) == [field], errors
    assert_problem(await api.client.get(EVENTS), 401)


async def test_a_lock_is_recorded_and_mailed_once(api: Api, db) -> None:
    auth = await api.signed_up()
    for _ in range(7):  # LOGIN_LOCKOUT is 5/900: the fifth failure locks, later ones are refused
        await api.client.post(
            "/api/v1/token/access", json={"username": "alice", "password": "guess"}
        )
    types = await _types(api, auth)
    assert types.count("sign_in.failed") == 5
    assert types.count("account.locked") == 1
    assert (await _outbox_types(db)).count("user.locked_out") == 1


async def test_a_stolen_refresh_token_is_recorded_and_mailed(api: Api, db) -> None:
    auth = await api.signed_up()
    first = (await api.login()).json()["refresh_token"]
    rotated = await api.client.post("/api/v1/token/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200
    # Presented again after the grace period, as a thief would (the grace is 10 s: shorten it).
    await db.execute("UPDATE refresh_tokens SET rotated_at = rotated_at - interval '1 minute'")
    for _ in range(2):
        reused = await api.client.post("/api/v1/token/refresh", json={"refresh_token": first})
        assert_problem(reused, 401)

    assert (await _types(api, auth)).count("refresh_token.reuse_detected") == 1
    assert (await _outbox_types(db)).count("user.refresh_token_reused") == 1


async def test_a_reset_and_a_deletion_are_recorded_and_nothing_secret_is(
    api: Api, db, mailed: MailedTokens
) -> None:
    auth = await api.signed_up()
    await api.client.post("/api/v1/password/forgot", json={"email": "alice@example.com"})
    reset_token = await mailed.reset()
    reset = await api.client.post(
        "/api/v1/password/reset", json={"token": reset_token, "new_password": "fresh-passw0rd"}
    )
    assert reset.status_code == 204
    auth = {"Authorization": f"Bearer {await api.token(password='fresh-passw0rd')}"}
    assert (await _types(api, auth))[:2] == ["sign_in.succeeded", "password.reset"]
    user_id = (await api.client.get("/api/v1/users", headers=auth)).json()["id"]

    deleted = await api.client.request(
        "DELETE", "/api/v1/users", json={"password": "fresh-passw0rd"}, headers=auth
    )
    assert deleted.status_code == 204

    rows = await (
        await db.execute(
            "SELECT type, details::text FROM audit_events WHERE user_id = %s ORDER BY at",
            (user_id,),
        )
    ).fetchall()
    assert rows[-1][0] == "account.deleted", "the trail outlives the account"
    stored = str(rows)
    for secret in ("s3cret-pass", "fresh-passw0rd", reset_token, auth["Authorization"][7:]):
        assert secret not in stored


async def test_events_past_the_retention_period_are_pruned(
    api: Api, db, settings: Settings
) -> None:
    auth = await api.signed_up()
    await api.login()
    await db.execute(
        "UPDATE audit_events SET at = at - interval '366 days'"
        " WHERE at = (SELECT min(at) FROM audit_events)"
    )
    worker: Injector = worker_injector(settings)
    try:
        assert await worker.get(PruneAuditTrail)() == 1
    finally:
        await worker.get(Lifecycle).close()
    assert await _types(api, auth) == ["sign_in.succeeded"]


async def test_an_unknown_login_records_nothing(api: Api, db) -> None:
    await api.client.post("/api/v1/token/access", json={"username": "ghost", "password": "x"})
    assert (await (await db.execute("SELECT count(*) FROM audit_events")).fetchone())[0] == 0


async def test_a_sign_in_on_the_pages_is_recorded_with_the_browsers_device(
    client: httpx.AsyncClient, api: Api
) -> None:
    client.headers.update(FIREFOX)
    form = (await client.get("/signup")).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf
    signed_up = await client.post(
        "/signup",
        data={
            "csrf_token": csrf[1],
            "username": "alice",
            "email": "alice@example.com",
            "password": "s3cret-pass",
        },
    )
    assert signed_up.status_code == 303, signed_up.text
    client.headers.pop("User-Agent")  # a client that sends none has no device

    auth = {"Authorization": f"Bearer {await api.token()}"}
    page = await _events(api, auth)
    assert [(e["type"], e["device"]) for e in page["items"]] == [
        ("sign_in.succeeded", None),
        ("sign_in.succeeded", "Firefox on Linux"),
    ]
