"""Passkeys as second factors of an account through the API on the real services: adding one
needs re-authentication, a passkey-only account's sensitive changes need a passkey's fresh
answer (a token alone, or with the password, is refused), and removing one needs both."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from adapters.settings import Settings
from tests.integration.api_client import Api, assert_problem, field_error
from tests.integration.passkey_api import PASSWORD, PasskeyUser
from tests.integration.two_step import outbox_events
from tests.webauthn_authenticator import SoftwareAuthenticator, b64url


@pytest.fixture
def alice(api: Api, settings: Settings, db: psycopg.AsyncConnection) -> PasskeyUser:
    return PasskeyUser(api, settings, db)


async def _challenges(db: psycopg.AsyncConnection) -> int:
    row = await (await db.execute("SELECT count(*) FROM webauthn_challenges")).fetchone()
    assert row is not None
    return int(row[0])


async def test_a_stolen_token_adds_no_passkey(
    alice: PasskeyUser, db: psycopg.AsyncConnection
) -> None:
    headers = await alice.signed_up()

    without_password = await alice.client.post(
        "/api/v1/mfa/passkeys/options", json={}, headers=headers
    )
    wrong_password = await alice.registration_options(headers, current_password="guessed-one")

    assert "current_password" in assert_problem(without_password, 422)["errors"]  # type: ignore[operator]
    assert_problem(wrong_password, 403)
    assert await _challenges(db) == 0
    failed = [d for kind, d in await alice.audit() if kind == "sign_in.failed"]
    assert failed == [{"reason": "wrong_password", "during": "second_factor_change"}]


async def test_a_passkey_is_added_with_the_password_listed_and_announced(
    alice: PasskeyUser, db: psycopg.AsyncConnection
) -> None:
    headers = await alice.signed_up()
    started = await alice.registration_options(headers)
    assert started.status_code == 200, started.text
    options = started.json()["options"]
    assert options["attestation"] == "none"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["excludeCredentials"] == []

    answer = alice.phone.create(options)
    added = await alice.finish_registration(
        headers, started.json()["challenge_id"], answer, name="  Phone "
    )

    assert added.status_code == 201, added.text
    passkey = added.json()
    assert passkey.keys() == {"id", "name", "created_at", "last_used_at"}
    assert (passkey["name"], passkey["last_used_at"]) == ("Phone", None)
    assert await alice.passkeys(headers) == [passkey]
    assert len(await outbox_events(db, "user.passkey_added")) == 1
    assert ("second_factor.added", {"method": "passkey"}) in await alice.audit()


async def test_a_second_passkey_needs_the_first_one(alice: PasskeyUser) -> None:
    headers = await alice.signed_up()
    await alice.add_passkey(headers)

    with_password_only = await alice.registration_options(headers)

    assert "with a passkey" in field_error(with_password_only, "passkey")
    laptop = SoftwareAuthenticator()
    await alice.add_passkey(headers, laptop, passkey=await alice.step_up(headers))
    assert len(await alice.passkeys(headers)) == 2


def _malformed_attestation(answer: dict[str, Any]) -> dict[str, Any]:
    answer["response"]["attestationObject"] = b64url(b"\xa1not cbor")
    return answer


@pytest.mark.parametrize(
    "problem", ["malformed", "wrong_challenge", "expired", "reused", "wrong_origin"]
)
async def test_a_bad_registration_answer_adds_nothing(alice: PasskeyUser, problem: str) -> None:
    headers = await alice.signed_up()
    ceremony = (await alice.registration_options(headers)).json()
    challenge_id, options = ceremony["challenge_id"], ceremony["options"]
    if problem == "wrong_challenge":
        options = (await alice.registration_options(headers)).json()["options"]
    origin = "https://accounts.evil.example" if problem == "wrong_origin" else None
    answer = SoftwareAuthenticator().create(options, origin=origin)
    if problem == "malformed":
        answer = _malformed_attestation(answer)
    if problem == "expired":
        await alice.expire_challenge(challenge_id)
    if problem == "reused":
        assert (await alice.finish_registration(headers, challenge_id, answer)).status_code == 201
    before = await alice.passkeys(headers)

    refused = await alice.finish_registration(headers, challenge_id, answer)

    assert "passkey could not be verified" in str(assert_problem(refused, 400)["detail"])
    assert await alice.passkeys(headers) == before


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("PATCH", {"email": "mallory@example.com", "current_password": PASSWORD}),
        ("PATCH", {"password": "a-brand-new-passphrase", "current_password": PASSWORD}),
        ("DELETE", {"password": PASSWORD}),
    ],
    ids=["email", "password", "account"],
)
async def test_a_passkey_only_accounts_changes_need_a_fresh_passkey_answer(
    alice: PasskeyUser, method: str, body: dict[str, Any]
) -> None:
    headers = await alice.signed_up()
    await alice.add_passkey(headers)
    send = alice.client.request

    token_and_password = await send(method, "/api/v1/users", json=body, headers=headers)
    with_a_code = await send(
        method, "/api/v1/users", json={**body, "code": "123456"}, headers=headers
    )
    spoiled = await alice.step_up(headers, tamper_signature=True)
    with_a_forged_answer = await send(
        method, "/api/v1/users", json={**body, "passkey": spoiled}, headers=headers
    )

    assert "with a passkey" in field_error(token_and_password, "passkey")
    assert "with a passkey" in field_error(with_a_code, "passkey")
    assert_problem(with_a_forged_answer, 403)
    profile = await alice.client.get("/api/v1/users", headers=headers)
    assert profile.json()["pending_email"] is None
    assert (await alice.api.login()).status_code == 403  # the same password, a second step
    answer = await alice.step_up(headers)
    done = await send(method, "/api/v1/users", json={**body, "passkey": answer}, headers=headers)
    assert done.status_code in (200, 204), done.text
    if method == "PATCH" and "email" in body:
        again = {**body, "email": "other@example.com", "passkey": answer}
        assert_problem(await send(method, "/api/v1/users", json=again, headers=headers), 403)


async def test_turning_on_an_authenticator_app_needs_the_passkey_too(alice: PasskeyUser) -> None:
    headers = await alice.signed_up()
    await alice.add_passkey(headers)
    body = {"current_password": PASSWORD}

    refused = await alice.client.post("/api/v1/mfa/totp", json=body, headers=headers)
    started = await alice.client.post(
        "/api/v1/mfa/totp", json={**body, "passkey": await alice.step_up(headers)}, headers=headers
    )

    field_error(refused, "passkey")
    assert started.status_code == 201, started.text


async def test_a_passkey_is_renamed_with_the_token_and_removed_with_a_passkey(
    alice: PasskeyUser,
) -> None:
    headers = await alice.signed_up()
    passkey = await alice.add_passkey(headers)
    path = f"/api/v1/mfa/passkeys/{passkey['id']}"

    renamed = await alice.client.patch(path, json={"name": "Old phone"}, headers=headers)
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Old phone"
    removal = {"current_password": PASSWORD}
    refused = await alice.client.request("DELETE", path, json=removal, headers=headers)
    field_error(refused, "passkey")
    removal["passkey"] = await alice.step_up(headers)  # type: ignore[assignment]
    removed = await alice.client.request("DELETE", path, json=removal, headers=headers)

    assert removed.status_code == 204, removed.text
    assert await alice.passkeys(headers) == []
    assert ("second_factor.removed", {"method": "passkey"}) in await alice.audit()
    assert len(await outbox_events(alice.db, "user.passkey_removed")) == 1  # its owner is told
    assert_problem(await alice.sign_in(), 401)
    assert (await alice.api.login()).status_code == 200  # the password alone again
    gone = await alice.client.patch(path, json={"name": "Mine"}, headers=headers)
    assert_problem(gone, 404)


async def test_another_users_passkey_is_not_found(alice: PasskeyUser) -> None:
    passkey = await alice.add_passkey(await alice.signed_up())
    bob = await alice.api.signed_up(username="bob", email="bob@example.com")
    path = f"/api/v1/mfa/passkeys/{passkey['id']}"

    assert_problem(await alice.client.patch(path, json={"name": "Mine"}, headers=bob), 404)
    removal = {"current_password": PASSWORD}
    assert_problem(await alice.client.request("DELETE", path, json=removal, headers=bob), 404)
