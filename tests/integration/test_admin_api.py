"""The administrators' API (/api/v1/admin/) on the real services: who gets in, what each action
does to the account it names, and the list's search and paging."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import psycopg
import pytest

from tests.integration.api_client import Api, assert_problem
from tests.integration.test_pages import Browser

PASSWORD = "s3cret-pass"
ADMIN = "/api/v1/admin/users"
UNKNOWN = uuid.uuid4()
# Every operation of the administrators' API, with an id where it takes one.
OPERATIONS = [
    ("GET", ADMIN),
    ("GET", f"{ADMIN}/{UNKNOWN}"),
    ("DELETE", f"{ADMIN}/{UNKNOWN}"),
    ("POST", f"{ADMIN}/{UNKNOWN}/disable"),
    ("POST", f"{ADMIN}/{UNKNOWN}/enable"),
    ("POST", f"{ADMIN}/{UNKNOWN}/password-reset"),
    ("DELETE", f"{ADMIN}/{UNKNOWN}/sessions"),
]
ON_ONE_ACCOUNT = [(method, path) for method, path in OPERATIONS if str(UNKNOWN) in path]


async def make_admin(db: psycopg.AsyncConnection, username: str) -> None:
    """What `ops/admin users grant-admin` stores (its own test is test_admin_cli.py)."""
    await db.execute(
        "UPDATE users SET roles = array_append(roles, 'admin') WHERE username = %s", (username,)
    )


async def signed_in_admin(api: Api, db: psycopg.AsyncConnection) -> dict[str, str]:
    await api.register("root", "root@example.com", PASSWORD)
    await make_admin(db, "root")
    return {"Authorization": f"Bearer {await api.token('root', PASSWORD)}"}


@pytest.fixture
async def admin(api: Api, db: psycopg.AsyncConnection) -> dict[str, str]:
    return await signed_in_admin(api, db)


async def user_id(api: Api, headers: dict[str, str]) -> str:
    return str((await api.client.get("/api/v1/users", headers=headers)).json()["id"])


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
async def test_no_token_is_401(api: Api, method: str, path: str) -> None:
    response = await api.client.request(method, path)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
async def test_a_user_who_is_not_an_administrator_is_403(api: Api, method: str, path: str) -> None:
    headers = await api.signed_up()
    assert_problem(await api.client.request(method, path, headers=headers), 403)


async def test_the_role_must_be_in_the_token_and_in_the_database(
    api: Api, db: psycopg.AsyncConnection
) -> None:
    before_grant = await api.signed_up(username="root", email="root@example.com")
    await make_admin(db, "root")
    # A token signed before the grant carries no role: sign in again to get one.
    assert_problem(await api.client.get(ADMIN, headers=before_grant), 403)
    with_role = {"Authorization": f"Bearer {await api.token('root')}"}
    assert (await api.client.get(ADMIN, headers=with_role)).status_code == 200
    # Taken away in the database: refused at once, although the token still claims it.
    await db.execute("UPDATE users SET roles = '{}' WHERE username = 'root'")
    assert_problem(await api.client.get(ADMIN, headers=with_role), 403)


async def test_no_api_path_makes_anyone_an_administrator(api: Api) -> None:
    headers = await api.signed_up()
    response = await api.client.patch("/api/v1/users", json={"roles": ["admin"]}, headers=headers)
    assert_problem(response, 422)
    token = await api.token()
    assert_problem(await api.client.get(ADMIN, headers={"Authorization": f"Bearer {token}"}), 403)


@pytest.mark.parametrize(("method", "path"), ON_ONE_ACCOUNT)
async def test_an_unknown_id_is_404(
    api: Api, admin: dict[str, str], method: str, path: str
) -> None:
    body = assert_problem(await api.client.request(method, path, headers=admin), 404)
    assert body["detail"] == "No account has this id."


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=sleeping", "status"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=many", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("q=%00", "q"),
    ],
)
async def test_bad_query_parameters_are_422(
    api: Api, admin: dict[str, str], query: str, field: str
) -> None:
    body = assert_problem(await api.client.get(f"{ADMIN}?{query}", headers=admin), 422)
    assert field in body["errors"]  # type: ignore[operator]


async def test_search_matches_the_start_of_username_or_email_in_any_case(
    api: Api, admin: dict[str, str], db: psycopg.AsyncConnection
) -> None:
    await api.register("Alice_1", "wonder@example.com", PASSWORD)
    await api.register("bob", "ALICE.b@example.org", PASSWORD)
    await api.register("carol", "carol@example.net", PASSWORD)
    await db.execute("UPDATE users SET disabled_at = now() WHERE username = 'carol'")

    def names(response: httpx.Response) -> list[str]:
        assert response.status_code == 200, response.text
        return [item["username"] for item in response.json()["items"]]

    assert names(await api.client.get(f"{ADMIN}?q=aLiCe", headers=admin)) == ["bob", "Alice_1"]
    # The pattern's own wildcards are taken literally.
    assert names(await api.client.get(f"{ADMIN}?q=alice%5F", headers=admin)) == ["Alice_1"]
    assert names(await api.client.get(f"{ADMIN}?q=a%25", headers=admin)) == []
    assert names(await api.client.get(f"{ADMIN}?status=disabled", headers=admin)) == ["carol"]
    unconfirmed = names(await api.client.get(f"{ADMIN}?status=unconfirmed", headers=admin))
    assert unconfirmed == ["bob", "Alice_1", "root"]
    page = (await api.client.get(f"{ADMIN}?q=carol", headers=admin)).json()
    assert page["next_cursor"] is None
    (carol,) = page["items"]
    assert carol["status"] == "disabled"
    assert carol["roles"] == []
    assert carol["disabled_at"] is not None


async def test_one_account_with_its_status_and_roles(api: Api, admin: dict[str, str]) -> None:
    own = await user_id(api, admin)
    response = await api.client.get(f"{ADMIN}/{own}", headers=admin)
    assert response.status_code == 200, response.text
    details = response.json()
    assert details["username"] == "root"
    assert details["roles"] == ["admin"]
    assert details["status"] == "unconfirmed"
    assert details["second_factor"] == {"enabled": False, "methods": []}
    assert details["recent_security_events"][0]["type"] == "sign_in.succeeded"
    assert "device" in details["recent_security_events"][0]


async def test_disabling_ends_every_session_at_once_and_refuses_sign_in(
    api: Api, admin: dict[str, str], client: httpx.AsyncClient
) -> None:
    await api.register()
    signed_in = (await api.login()).json()
    headers = {"Authorization": f"Bearer {signed_in['access_token']}"}
    browser = Browser(client)
    alice = await user_id(api, headers)

    response = await api.client.post(f"{ADMIN}/{alice}/disable", headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "disabled"

    assert_problem(await api.client.get("/api/v1/users", headers=headers), 401)
    refresh = await api.client.post(
        "/api/v1/token/refresh", json={"refresh_token": signed_in["refresh_token"]}
    )
    assert_problem(refresh, 401)
    body = assert_problem(await api.login(), 403)
    assert "account disabled" in str(body["detail"]).lower()
    page = await browser.submit("/login", username="alice", password=PASSWORD)
    assert "account disabled" in page.text.lower()
    assert "session" not in client.cookies
    # Disabling again changes nothing.
    again = await api.client.post(f"{ADMIN}/{alice}/disable", headers=admin)
    assert again.json()["disabled_at"] == response.json()["disabled_at"]


async def test_enabling_lets_the_account_sign_in_again(api: Api, admin: dict[str, str]) -> None:
    headers = await api.signed_up()
    alice = await user_id(api, headers)
    await api.client.post(f"{ADMIN}/{alice}/disable", headers=admin)
    assert_problem(await api.login(), 403)

    response = await api.client.post(f"{ADMIN}/{alice}/enable", headers=admin)
    assert response.json()["status"] == "unconfirmed"
    assert response.json()["disabled_at"] is None

    assert (await api.login()).status_code == 200
    # The sessions that disabling ended stay ended.
    assert_problem(await api.client.get("/api/v1/users", headers=headers), 401)


async def test_ending_sessions_refuses_the_old_tokens_but_not_a_new_sign_in(
    api: Api, admin: dict[str, str]
) -> None:
    await api.register()
    signed_in = (await api.login()).json()
    headers = {"Authorization": f"Bearer {signed_in['access_token']}"}
    alice = await user_id(api, headers)

    response = await api.client.delete(f"{ADMIN}/{alice}/sessions", headers=admin)
    assert response.status_code == 204

    assert_problem(await api.client.get("/api/v1/users", headers=headers), 401)
    refresh = await api.client.post(
        "/api/v1/token/refresh", json={"refresh_token": signed_in["refresh_token"]}
    )
    assert_problem(refresh, 401)
    assert (await api.login()).status_code == 200


async def test_a_password_reset_link_is_mailed_through_the_reset_path(
    api: Api, admin: dict[str, str], db: psycopg.AsyncConnection
) -> None:
    alice = await user_id(api, await api.signed_up())
    response = await api.client.post(f"{ADMIN}/{alice}/password-reset", headers=admin)
    assert response.status_code == 202
    cursor = await db.execute(
        "SELECT count(*) FROM outbox WHERE type = 'user.password_reset_requested' AND user_id = %s",
        (alice,),
    )
    assert await cursor.fetchone() == (1,)
    cursor = await db.execute(
        "SELECT count(*) FROM action_tokens WHERE purpose = 'reset_password' AND user_id = %s",
        (alice,),
    )
    assert await cursor.fetchone() == (1,)


async def test_deleting_an_account_mails_goodbye_and_its_tokens_stop_working(
    api: Api, admin: dict[str, str], db: psycopg.AsyncConnection
) -> None:
    headers = await api.signed_up()
    alice = await user_id(api, headers)
    assert (await api.client.delete(f"{ADMIN}/{alice}", headers=admin)).status_code == 204
    assert_problem(await api.client.get("/api/v1/users", headers=headers), 401)
    assert_problem(await api.client.get(f"{ADMIN}/{alice}", headers=admin), 404)
    cursor = await db.execute(
        "SELECT count(*) FROM outbox"
        " WHERE type = 'user.deleted' AND topic = 'mail' AND user_id = %s",
        (alice,),
    )
    assert await cursor.fetchone() == (1,)


async def test_administrators_cannot_disable_or_delete_themselves(
    api: Api, admin: dict[str, str]
) -> None:
    own = await user_id(api, admin)
    assert_problem(await api.client.post(f"{ADMIN}/{own}/disable", headers=admin), 403)
    assert_problem(await api.client.delete(f"{ADMIN}/{own}", headers=admin), 403)
    assert (await api.client.get(ADMIN, headers=admin)).status_code == 200


async def test_paging_neither_repeats_nor_skips_while_people_sign_up(
    api: Api, admin: dict[str, str]
) -> None:
    for n in range(20):
        await api.register(f"early{n}", f"early{n}@example.com", PASSWORD)
    seen: list[str] = []
    cursor: str | None = None
    late = 0
    while True:
        query = f"&cursor={cursor}" if cursor else ""
        page_request = api.client.get(f"{ADMIN}?limit=6{query}", headers=admin)
        sign_ups = [
            api.register(f"late{late + i}", f"late{late + i}@example.com", PASSWORD)
            for i in range(3)
        ]
        late += 3
        response, *_ = await asyncio.gather(page_request, *sign_ups)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [item["username"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)), "an account appeared twice"
    assert {f"early{n}" for n in range(20)} | {"root"} <= set(seen), "an account was skipped"


async def test_every_action_is_published_with_the_administrators_id(
    api: Api, admin: dict[str, str], db: psycopg.AsyncConnection
) -> None:
    alice = await user_id(api, await api.signed_up())
    root = await user_id(api, admin)
    for action in ("disable", "enable", "password-reset"):
        response = await api.client.post(f"{ADMIN}/{alice}/{action}", headers=admin)
        assert response.status_code in (200, 202, 204), response.text
    for path in (f"{ADMIN}/{alice}/sessions", f"{ADMIN}/{alice}"):
        response = await api.client.delete(path, headers=admin)
        assert response.status_code == 204, response.text

    cursor = await db.execute(
        "SELECT payload FROM outbox WHERE topic = 'public' AND payload->>'type' LIKE 'admin.%%'"
        " ORDER BY id"
    )
    published = [payload for (payload,) in await cursor.fetchall()]
    assert [p["type"] for p in published] == [
        "admin.user_disabled",
        "admin.user_enabled",
        "admin.password_reset_mailed",
        "admin.sessions_ended",
        "admin.user_deleted",
    ]
    assert {(p["user_id"], p["admin_id"], p["via"]) for p in published} == {(alice, root, "api")}
