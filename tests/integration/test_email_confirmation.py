"""Confirming the email address with a mailed token, through the API on the real services."""

from __future__ import annotations

import asyncio
import hashlib

from tests.integration.api_client import Api, assert_problem
from tests.integration.tokens_mailed import MailedTokens

VERIFY = "/api/v1/users/verify-email"
RESEND = "/api/v1/users/verify-email/resend"


async def _verified(api: Api, auth: dict[str, str]) -> bool:
    response = await api.client.get("/api/v1/users", headers=auth)
    assert response.status_code == 200, response.text
    return bool(response.json()["email_verified"])


async def test_sign_up_mails_a_token_that_verifies_the_address_once(
    api: Api, db, mailed: MailedTokens
) -> None:
    auth = await api.signed_up()
    token = await mailed.verification()
    assert not await _verified(api, auth)
    stored = await (
        await db.execute(
            "SELECT token_hash, purpose, email, expires_at - created_at, used_at FROM action_tokens"
        )
    ).fetchall()
    ((token_hash, purpose, email, ttl, used_at),) = stored
    assert token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert (purpose, email, ttl.total_seconds(), used_at) == (
        "verify_email",
        "alice@example.com",
        86400,
        None,
    )

    response = await api.client.post(VERIFY, json={"token": token})

    assert response.status_code == 204, response.text
    assert response.content == b""
    assert await _verified(api, auth)
    assert_problem(await api.client.post(VERIFY, json={"token": token}), 400)


async def test_expired_forged_and_wrong_purpose_tokens_are_refused(
    api: Api, db, mailed: MailedTokens
) -> None:
    auth = await api.signed_up()
    token = await mailed.verification()
    await api.client.post("/api/v1/password/forgot", json={"email": "alice@example.com"})
    reset = await mailed.reset()

    for garbage in ("x", "A" * 43, reset):
        body = assert_problem(await api.client.post(VERIFY, json={"token": garbage}), 400)
        assert "invalid" in str(body["detail"])
    await db.execute("UPDATE action_tokens SET expires_at = now() - interval '1 second'")
    assert_problem(await api.client.post(VERIFY, json={"token": token}), 400)
    assert not await _verified(api, auth)
    assert_problem(await api.client.post(VERIFY, json={}), 422)


async def test_a_token_for_an_address_changed_away_from_fails(
    api: Api, db, mailed: MailedTokens
) -> None:
    auth = await api.signed_up()
    old = await mailed.verification()
    changed = await api.change_email(auth, "alice@example.org")
    assert changed.status_code == 200
    assert (changed.json()["email"], changed.json()["pending_email"]) == (
        "alice@example.com",
        "alice@example.org",
    )
    new = await mailed.verification("alice@example.org")

    assert (await api.client.post(VERIFY, json={"token": new})).status_code == 204
    profile = (await api.client.get("/api/v1/users", headers=auth)).json()
    assert (profile["email"], profile["email_verified"], profile["pending_email"]) == (
        "alice@example.org",
        True,
        None,
    )
    assert_problem(await api.client.post(VERIFY, json={"token": old}), 400)


async def test_a_token_of_another_user_verifies_only_that_user(
    api: Api, db, mailed: MailedTokens
) -> None:
    alice = await api.signed_up()
    bob = await api.signed_up(username="bob", email="bob@example.com")
    assert (
        await api.client.post(VERIFY, json={"token": await mailed.verification("bob@example.com")})
    ).status_code == 204
    assert await _verified(api, bob)
    assert not await _verified(api, alice)


async def test_resend_replaces_the_older_token_and_is_capped(
    api: Api, db, mailed: MailedTokens
) -> None:
    auth = await api.signed_up()
    old = await mailed.verification()

    response = await api.client.post(RESEND, headers=auth)

    assert response.status_code == 202, response.text
    assert response.content == b""
    new = await mailed.verification()
    assert new != old
    assert_problem(await api.client.post(VERIFY, json={"token": old}), 400)
    # The sign-up mail and two resends spend the address's quota (3 an hour).
    assert (await api.client.post(RESEND, headers=auth)).status_code == 202
    limited = await api.client.post(RESEND, headers=auth)
    assert_problem(limited, 429)
    assert int(limited.headers["retry-after"]) > 0
    latest = await mailed.verification()
    assert (await api.client.post(VERIFY, json={"token": latest})).status_code == 204
    assert_problem(await api.client.post(RESEND, headers=auth), 409)


async def test_resend_needs_a_token(api: Api) -> None:
    await api.register()
    response = await api.client.post(RESEND)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_two_concurrent_uses_of_one_token_verify_once(
    api: Api, db, mailed: MailedTokens
) -> None:
    await api.signed_up()
    token = await mailed.verification()
    responses = await asyncio.gather(
        *(api.client.post(VERIFY, json={"token": token}) for _ in range(5))
    )
    assert sorted(r.status_code for r in responses) == [204, 400, 400, 400, 400]
