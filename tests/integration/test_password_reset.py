"""Resetting a forgotten password with a mailed token, through the API on the real services."""

from __future__ import annotations

import asyncio

from tests.integration.api_client import Api, assert_problem
from tests.integration.tokens_mailed import MailedTokens

FORGOT = "/api/v1/password/forgot"
RESET = "/api/v1/password/reset"


async def _count(db, table: str) -> int:
    return int((await (await db.execute(f"SELECT count(*) FROM {table}")).fetchone())[0])


async def test_forgot_answers_the_same_for_known_and_unknown_addresses(
    api: Api, db, mailed: MailedTokens
) -> None:
    await api.register()
    before = await _count(db, "outbox")

    known = await api.client.post(FORGOT, json={"email": "Alice@Example.com"})
    unknown = await api.client.post(FORGOT, json={"email": "nobody@example.com"})
    username = await api.client.post(FORGOT, json={"email": "alice@nowhere.example"})

    for response in (known, unknown, username):
        assert response.status_code == 202, response.text
        assert response.content == b""
    assert set(known.headers) == set(unknown.headers)
    assert await _count(db, "outbox") == before + 1
    token = await mailed.reset()
    row = await (
        await db.execute(
            "SELECT expires_at - created_at FROM action_tokens WHERE purpose = 'reset_password'"
        )
    ).fetchone()
    assert row[0].total_seconds() == 1800
    assert len(token) >= 43


async def test_reset_sets_the_password_and_ends_every_session(
    api: Api, db, mailed: MailedTokens
) -> None:
    await api.register()
    session = (await api.login()).json()
    old_auth = {"Authorization": f"Bearer {session['access_token']}"}
    await api.client.post(FORGOT, json={"email": "alice@example.com"})
    token = await mailed.reset()

    response = await api.client.post(RESET, json={"token": token, "new_password": "brand-new-pass"})

    assert response.status_code == 204, response.text
    assert response.content == b""
    assert_problem(await api.client.get("/api/v1/users", headers=old_auth), 401)
    refreshed = await api.client.post(
        "/api/v1/token/refresh", json={"refresh_token": session["refresh_token"]}
    )
    assert_problem(refreshed, 401)
    assert_problem(await api.login(password="s3cret-pass"), 401)
    assert (await api.login(password="brand-new-pass")).status_code == 200
    stored = await (await db.execute("SELECT password_hash FROM users")).fetchone()
    assert stored[0].startswith("nfkc$argon2id$")  # argon2id, of the normalised password
    changed = await (
        await db.execute("SELECT payload FROM outbox WHERE type = 'user.updated'")
    ).fetchone()
    assert changed[0]["changed"] == ["password"]
    assert "token" not in changed[0]
    assert_problem(
        await api.client.post(RESET, json={"token": token, "new_password": "third-password"}), 400
    )


async def test_expired_forged_and_wrong_purpose_tokens_are_refused(
    api: Api, db, mailed: MailedTokens
) -> None:
    await api.register()
    verify = await mailed.verification()
    await api.client.post(FORGOT, json={"email": "alice@example.com"})
    token = await mailed.reset()

    for wrong in ("garbage", "", verify):
        response = await api.client.post(
            RESET, json={"token": wrong, "new_password": "brand-new-pass"}
        )
        assert response.status_code in (400, 422), response.text
        assert response.headers["content-type"] == "application/problem+json"
    assert_problem(
        await api.client.post(RESET, json={"token": verify, "new_password": "brand-new-pass"}), 400
    )
    assert_problem(
        await api.client.post(RESET, json={"token": token, "new_password": "short"}), 422
    )
    await db.execute(
        "UPDATE action_tokens SET expires_at = now() - interval '1 second'"
        " WHERE purpose = 'reset_password'"
    )
    assert_problem(
        await api.client.post(RESET, json={"token": token, "new_password": "brand-new-pass"}), 400
    )
    assert (await api.login()).status_code == 200, "the password is unchanged"
    # The verification token was not used up by the wrong-purpose attempts.
    assert (
        await api.client.post("/api/v1/users/verify-email", json={"token": verify})
    ).status_code == 204


async def test_a_token_mailed_to_an_address_changed_away_from_fails(
    api: Api, db, mailed: MailedTokens
) -> None:
    auth = await api.signed_up()
    await api.client.post(FORGOT, json={"email": "alice@example.com"})
    token = await mailed.reset()
    assert (await api.change_email(auth, "alice@example.org")).status_code == 200
    confirmed = await api.confirm_email(await mailed.verification("alice@example.org"))
    assert confirmed.status_code == 204

    assert_problem(
        await api.client.post(RESET, json={"token": token, "new_password": "brand-new-pass"}), 400
    )
    assert (await api.login()).status_code == 200


async def test_a_newer_request_leaves_the_older_link_working_until_one_is_used(
    api: Api, db, mailed: MailedTokens
) -> None:
    # Attack: asking for a link again must not void the one the owner is about to use.
    await api.register()
    await api.client.post(FORGOT, json={"email": "alice@example.com"})
    older = await mailed.reset()
    await api.client.post(FORGOT, json={"email": "alice@example.com"})
    newer = await mailed.reset()
    assert (
        await api.client.post(RESET, json={"token": older, "new_password": "brand-new-pass"})
    ).status_code == 204
    assert_problem(
        await api.client.post(RESET, json={"token": newer, "new_password": "other-new-pass"}), 400
    )


async def test_two_concurrent_resets_with_one_token_change_the_password_once(
    api: Api, db, mailed: MailedTokens
) -> None:
    await api.register()
    await api.client.post(FORGOT, json={"email": "alice@example.com"})
    token = await mailed.reset()
    responses = await asyncio.gather(
        api.client.post(RESET, json={"token": token, "new_password": "first-password"}),
        api.client.post(RESET, json={"token": token, "new_password": "second-password"}),
    )
    assert sorted(r.status_code for r in responses) == [204, 400]
    winner = "first-password" if responses[0].status_code == 204 else "second-password"
    assert (await api.login(password=winner)).status_code == 200
