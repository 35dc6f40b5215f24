"""The administrators' webhook API (/api/v1/admin/webhooks) on the real services: who gets in,
what registering, changing and deleting an endpoint record, the rules on URLs and event types,
and the delivery log."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.settings import Settings
from adapters.sql.webhook_deliveries import SqlWebhookDeliveries
from core.domain.webhooks import PublishedEvent
from tests.integration.api_client import Api, api_with, assert_problem, field_error
from tests.integration.test_admin_api import signed_in_admin

WEBHOOKS = "/api/v1/admin/webhooks"
UNKNOWN = uuid.uuid4()
PUBLIC = "https://93.184.215.14/hooks/accounts?token=receivers-own"
VALID = {"url": PUBLIC, "event_types": ["user.created"]}
# Every operation of the webhook API, with an id where it takes one, and a valid body.
OPERATIONS = [
    ("GET", WEBHOOKS, None),
    ("POST", WEBHOOKS, VALID),
    ("GET", f"{WEBHOOKS}/{UNKNOWN}", None),
    ("PATCH", f"{WEBHOOKS}/{UNKNOWN}", {"active": False}),
    ("DELETE", f"{WEBHOOKS}/{UNKNOWN}", None),
    ("POST", f"{WEBHOOKS}/{UNKNOWN}/secret", None),
    ("GET", f"{WEBHOOKS}/{UNKNOWN}/deliveries", None),
]
ON_ONE_ENDPOINT = [op for op in OPERATIONS if str(UNKNOWN) in op[1]]


@pytest.fixture
async def admin(api: Api, db: psycopg.AsyncConnection) -> dict[str, str]:
    return await signed_in_admin(api, db)


@pytest.fixture
async def local_api(settings: Settings, migrated: str) -> AsyncIterator[Api]:
    """The API where webhooks may go to this machine over plain HTTP (development, tests)."""
    hooks = dataclasses.replace(settings.webhooks, allow_http=True, allow_private_targets=True)
    async with api_with(settings, webhooks=hooks) as api:
        yield api


async def _create(api: Api, admin: dict[str, str], **body: object) -> dict[str, object]:
    response = await api.client.post(WEBHOOKS, json={**VALID, **body}, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS)
async def test_no_token_is_401(api: Api, method: str, path: str, body: object) -> None:
    response = await api.client.request(method, path, json=body)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS)
async def test_a_user_who_is_not_an_administrator_is_403(
    api: Api, db: psycopg.AsyncConnection, method: str, path: str, body: object
) -> None:
    headers = await api.signed_up()
    assert_problem(await api.client.request(method, path, json=body, headers=headers), 403)
    assert await (await db.execute("SELECT count(*) FROM webhook_endpoints")).fetchone() == (0,)


@pytest.mark.parametrize(("method", "path", "body"), ON_ONE_ENDPOINT)
async def test_an_unknown_id_is_404(
    api: Api, admin: dict[str, str], method: str, path: str, body: object
) -> None:
    response = await api.client.request(method, path, json=body, headers=admin)
    assert assert_problem(response, 404)["detail"] == "No webhook endpoint has this id."


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"url": None}, "url", "Field may not be null."),
        ({"url": "https://93.184.215.14/" + "a" * 2048}, "url", "Length must be between"),
        ({"event_types": []}, "event_types", "Length must be between"),
        ({"event_types": ["user.created", "user.renamed"]}, "event_types", "user.renamed"),
        ({"url": "http://93.184.215.14/in"}, "url", "Must be an https:// URL."),
        ({"url": "https://me:pw@93.184.215.14/in"}, "url", "Must not carry credentials"),
        ({"url": "https://127.0.0.1/in"}, "url", "private, loopback or link-local"),
        ({"url": "https://localhost:8443/in"}, "url", "private, loopback or link-local"),
        ({"url": "https://169.254.169.254/latest"}, "url", "private, loopback or link-local"),
        ({"url": "https://10.0.0.7/in"}, "url", "private, loopback or link-local"),
        ({"url": "https://[::ffff:192.168.0.1]/in"}, "url", "private, loopback or link-local"),
        ({"url": "https://nowhere.invalid/in"}, "url", "does not resolve"),
        ({"secret": "whsec_mine"}, "secret", "Unknown field."),
    ],
)
async def test_bad_registrations_are_422_and_register_nothing(
    api: Api,
    admin: dict[str, str],
    db: psycopg.AsyncConnection,
    body: dict[str, object],
    field: str,
    says: str,
) -> None:
    response = await api.client.post(WEBHOOKS, json={**VALID, **body}, headers=admin)
    assert says in field_error(response, field)
    assert await (await db.execute("SELECT count(*) FROM webhook_endpoints")).fetchone() == (0,)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "_body"),
        ({"event_types": ["nope"]}, "event_types"),
        ({"url": "https://10.0.0.1/"}, "url"),
        ({"active": "maybe"}, "active"),
    ],
)
async def test_bad_changes_are_422(
    api: Api, admin: dict[str, str], body: dict[str, object], field: str
) -> None:
    created = await _create(api, admin)
    response = await api.client.patch(f"{WEBHOOKS}/{created['id']}", json=body, headers=admin)
    field_error(response, field)


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=many", "cursor=not-a-cursor"])
async def test_bad_delivery_log_queries_are_422(
    api: Api, admin: dict[str, str], query: str
) -> None:
    created = await _create(api, admin)
    response = await api.client.get(f"{WEBHOOKS}/{created['id']}/deliveries?{query}", headers=admin)
    field_error(response, query.split("=")[0])


async def test_an_endpoints_life_is_recorded_as_the_administrators_actions(
    api: Api, admin: dict[str, str], db: psycopg.AsyncConnection
) -> None:
    created = await _create(api, admin, event_types=["user.created", "user.deleted"])
    secret, endpoint_id = str(created["secret"]), created["id"]
    assert secret.startswith("whsec_")
    assert created["url"] == PUBLIC
    assert (created["active"], created["deactivated_reason"]) == (True, None)
    one = f"{WEBHOOKS}/{endpoint_id}"

    listed = (await api.client.get(WEBHOOKS, headers=admin)).json()["items"]
    assert [item["id"] for item in listed] == [endpoint_id]
    assert "secret" not in listed[0], "shown once, at registration"
    assert (await api.client.get(one, headers=admin)).json() == listed[0]

    changed = await api.client.patch(one, json={"active": False}, headers=admin)
    assert changed.json()["deactivated_reason"] == "An administrator deactivated it."
    rotated = (await api.client.post(f"{one}/secret", headers=admin)).json()
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != secret
    assert (await api.client.delete(one, headers=admin)).status_code == 204
    assert_problem(await api.client.get(one, headers=admin), 404)

    trail = await (
        await db.execute(
            "SELECT type, details FROM audit_events WHERE type LIKE 'admin.%' ORDER BY at"
        )
    ).fetchall()
    assert [(kind, details.get("changed")) for kind, details in trail] == [
        ("admin.webhook_created", None),
        ("admin.webhook_changed", ["active"]),
        ("admin.webhook_changed", ["secret"]),
        ("admin.webhook_deleted", None),
    ]
    admin_id = (await api.client.get("/api/v1/users", headers=admin)).json()["id"]
    assert {details["admin_id"] for _, details in trail} == {admin_id}
    published = await (
        await db.execute("SELECT type, user_id, payload FROM outbox WHERE topic = 'public'")
    ).fetchall()
    assert [kind for kind, _, _ in published][-4:] == [kind for kind, _ in trail]
    assert {str(user) for _, user, _ in published[-4:]} == {admin_id}
    assert published[-1][2]["host"] == "93.184.215.14"
    told = json.dumps([trail, [payload for _, _, payload in published]])
    for never in (secret, rotated["secret"], "receivers-own"):
        assert never not in told


async def test_the_secret_is_stored_sealed(
    api: Api, admin: dict[str, str], db: psycopg.AsyncConnection
) -> None:
    secret = str((await _create(api, admin))["secret"])
    ((sealed,),) = await (
        await db.execute("SELECT sealed_secret FROM webhook_endpoints")
    ).fetchall()
    assert secret.encode() not in sealed
    assert secret.removeprefix("whsec_").encode() not in sealed


async def test_receivers_on_this_machine_only_where_the_settings_allow_them(
    local_api: Api, db: psycopg.AsyncConnection
) -> None:
    admin = await signed_in_admin(local_api, db)
    created = await _create(local_api, admin, url="http://127.0.0.1:9/hooks")
    assert created["url"] == "http://127.0.0.1:9/hooks"


async def test_the_delivery_log_pages_newest_first(
    api: Api, admin: dict[str, str], settings: Settings
) -> None:
    endpoint_id = (await _create(api, admin))["id"]
    engine = create_async_engine(settings.database_url)
    deliveries = SqlWebhookDeliveries(engine)
    start = datetime.now(UTC)
    try:
        for n in range(5):
            event = PublishedEvent(uuid.uuid4(), "user.created", start, b"{}")
            assert len(await deliveries.fan_out(event, start + timedelta(seconds=n))) == 1
    finally:
        await engine.dispose()
    seen, cursor = [], None
    while True:
        query = f"?limit=2&cursor={cursor}" if cursor else "?limit=2"
        response = await api.client.get(
            f"{WEBHOOKS}/{endpoint_id}/deliveries{query}", headers=admin
        )
        assert response.status_code == 200, response.text
        page = response.json()
        seen += page["items"]
        if (cursor := page["next_cursor"]) is None:
            break
    assert len({item["id"] for item in seen}) == len(seen) == 5
    assert [item["created_at"] for item in seen] == sorted(
        (item["created_at"] for item in seen), reverse=True
    )
    assert seen[0] | {
        "id": None,
        "event_id": None,
        "created_at": None,
        "next_attempt_at": None,
    } == {
        "id": None,
        "event_id": None,
        "event_type": "user.created",
        "status": "pending",
        "attempts": 0,
        "last_status": None,
        "last_error": None,
        "next_attempt_at": None,
        "created_at": None,
        "delivered_at": None,
    }
