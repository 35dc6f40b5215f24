"""Registration, profile, update and deletion through the HTTP API on the real PostgreSQL."""

from __future__ import annotations

import asyncio

import httpx

from tests.integration.api_client import Api, assert_problem

PROFILE_FIELDS = {
    "id",
    "username",
    "email",
    "email_verified",
    "pending_email",
    "email_status",
    "created_at",
    "updated_at",
}


async def test_registration_returns_the_new_profile(api: Api) -> None:
    response = await api.register(username="Alice", email="Alice@Example.COM")
    assert response.status_code == 201
    body = response.json()
    assert body.keys() == PROFILE_FIELDS
    assert body["username"] == "Alice"
    assert body["email"] == "alice@example.com"
    assert body["email_verified"] is False
    assert body["created_at"] == body["updated_at"]
    assert "password" not in response.text


async def test_same_email_in_another_case_is_a_conflict(api: Api) -> None:
    assert (await api.register(email="bob@example.com")).status_code == 201
    response = await api.register(username="other", email="BOB@Example.com")
    body = assert_problem(response, 409)
    assert "email" in str(body["detail"])
    assert "alice" not in response.text


async def test_same_username_in_another_case_is_a_conflict(api: Api) -> None:
    assert (await api.register(username="carol")).status_code == 201
    response = await api.register(username="CAROL", email="other@example.com")
    assert "username" in str(assert_problem(response, 409)["detail"])


async def test_twenty_concurrent_sign_ups_with_one_email_create_one_account(api: Api) -> None:
    responses = await asyncio.gather(
        *(api.register(username=f"racer{i}", email="race@example.com") for i in range(20))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19


async def test_invalid_fields_are_named_in_a_422(client: httpx.AsyncClient) -> None:
    cases = {
        "username": {"username": "ab", "email": "a@example.com", "password": "longenough"},
        "email": {"username": "abc", "email": "not-an-email", "password": "longenough"},
        "password": {"username": "abc", "email": "a@example.com", "password": "short"},
    }
    for field, body in cases.items():
        problem = assert_problem(await client.post("/api/v1/users", json=body), 422)
        assert list(problem["errors"]) == [field]
    bad_chars = {"username": "no spaces", "email": "a@example.com", "password": "longenough"}
    assert_problem(await client.post("/api/v1/users", json=bad_chars), 422)
    too_long = {"username": "abc", "email": "a@example.com", "password": "x" * 129}
    assert_problem(await client.post("/api/v1/users", json=too_long), 422)


async def test_missing_and_unknown_fields_are_422(client: httpx.AsyncClient) -> None:
    problem = assert_problem(await client.post("/api/v1/users", json={}), 422)
    assert set(problem["errors"]) == {"username", "email", "password"}
    body = {"username": "abc", "email": "a@example.com", "password": "longenough", "admin": True}
    problem = assert_problem(await client.post("/api/v1/users", json=body), 422)
    assert "admin" in problem["errors"]
    problem = assert_problem(await client.post("/api/v1/users", json=["a", "list"]), 422)
    assert "_body" in problem["errors"]


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/users", content=b'{"username": ', headers={"content-type": "application/json"}
    )
    assert "not valid JSON" in str(assert_problem(response, 400)["detail"])


async def test_other_media_types_are_415(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/users", content=b"username=x", headers={"content-type": "text/plain"}
    )
    assert_problem(response, 415)
    assert_problem(await client.post("/api/v1/users", content=b"{}"), 415)


async def test_bodies_over_64_kib_are_413(client: httpx.AsyncClient) -> None:
    big = b'{"username": "' + b"a" * (64 * 1024) + b'"}'
    response = await client.post(
        "/api/v1/users", content=big, headers={"content-type": "application/json"}
    )
    assert_problem(response, 413)

    async def chunks():  # no Content-Length: the limit holds while reading
        for _ in range(80):
            yield b"a" * 1024

    response = await client.post(
        "/api/v1/users", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_problem(response, 413)


async def test_unknown_route_is_404_and_wrong_method_is_405(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/nothing-here"), 404)
    response = await client.put("/api/v1/users", json={})
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


async def test_profile_needs_a_bearer_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/users")
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_own_profile_is_returned(api: Api) -> None:
    auth = await api.signed_up()
    response = await api.client.get("/api/v1/users", headers=auth)
    assert response.status_code == 200
    assert response.json()["username"] == "alice"


async def test_username_change(api: Api) -> None:
    auth = await api.signed_up()
    response = await api.client.patch("/api/v1/users", json={"username": "alice2"}, headers=auth)
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "alice2"
    assert body["updated_at"] > body["created_at"]
    assert (await api.login("alice2")).status_code == 200


async def test_an_email_change_waits_for_the_new_address(api: Api, db) -> None:
    auth = await api.signed_up()
    await db.execute("UPDATE users SET email_verified = true")
    response = await api.change_email(auth, "New@Example.com")
    assert response.status_code == 200
    assert response.json()["email"] == "alice@example.com"
    assert response.json()["email_verified"] is True
    assert response.json()["pending_email"] == "new@example.com"


async def test_update_to_a_taken_username_is_409(api: Api) -> None:
    await api.register(username="taken", email="taken@example.com")
    auth = await api.signed_up()
    response = await api.client.patch("/api/v1/users", json={"username": "TAKEN"}, headers=auth)
    assert_problem(response, 409)


async def test_password_change_needs_the_current_password(api: Api) -> None:
    auth = await api.signed_up()
    response = await api.client.patch(
        "/api/v1/users", json={"password": "a-new-password"}, headers=auth
    )
    assert "current_password" in assert_problem(response, 422)["errors"]
    response = await api.client.patch(
        "/api/v1/users",
        json={"password": "a-new-password", "current_password": "wrong-one"},
        headers=auth,
    )
    assert_problem(response, 403)
    response = await api.client.patch(
        "/api/v1/users",
        json={"password": "a-new-password", "current_password": "s3cret-pass"},
        headers=auth,
    )
    assert response.status_code == 200
    assert (await api.login(password="s3cret-pass")).status_code == 401
    assert (await api.login(password="a-new-password")).status_code == 200


async def test_empty_update_is_422(api: Api) -> None:
    auth = await api.signed_up()
    assert_problem(await api.client.patch("/api/v1/users", json={}, headers=auth), 422)


async def test_deletion_needs_the_password_and_ends_the_token(api: Api) -> None:
    auth = await api.signed_up()
    wrong = await api.client.request(
        "DELETE", "/api/v1/users", json={"password": "nope-nope"}, headers=auth
    )
    assert_problem(wrong, 403)
    response = await api.client.request(
        "DELETE", "/api/v1/users", json={"password": "s3cret-pass"}, headers=auth
    )
    assert response.status_code == 204
    assert response.content == b""
    assert_problem(await api.client.get("/api/v1/users", headers=auth), 401)
    assert_problem(await api.login(), 401)
    assert (await api.register()).status_code == 201, "the name and email are free again"
