"""Signing in with a passkey through the API on the real services: alone, and as the second step
after the password; and the answers that must change nothing."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from adapters.settings import Settings
from tests.integration.api_client import Api, assert_problem
from tests.integration.passkey_api import PasskeyUser
from tests.webauthn_authenticator import SoftwareAuthenticator, b64url


@pytest.fixture
def alice(api: Api, settings: Settings, db: psycopg.AsyncConnection) -> PasskeyUser:
    return PasskeyUser(api, settings, db)


async def test_a_passkey_alone_signs_in_to_a_session_like_any_other(alice: PasskeyUser) -> None:
    headers = await alice.signed_up()
    added = await alice.add_passkey(headers, name="Phone")
    ceremony = await alice.sign_in_options()
    assert ceremony["options"]["allowCredentials"] == []
    assert ceremony["options"]["userVerification"] == "required"

    signed_in = await alice.answer_sign_in(
        ceremony["challenge_id"], alice.phone.get(ceremony["options"])
    )

    assert signed_in.status_code == 200, signed_in.text
    tokens = signed_in.json()
    assert tokens["token_type"] == "Bearer"
    assert alice.claims(tokens["access_token"])["amr"] == ["hwk"]
    refreshed = await alice.client.post(
        "/api/v1/token/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    assert alice.claims(refreshed.json()["access_token"])["amr"] == ["hwk"]
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    (listed,) = await alice.passkeys(bearer)
    assert (listed["id"], listed["name"]) == (added["id"], "Phone")
    assert listed["last_used_at"] is not None
    assert (await alice.audit())[-1] == ("sign_in.succeeded", {"method": "passkey"})


async def test_the_password_step_asks_for_the_passkey_which_completes_the_sign_in(
    alice: PasskeyUser,
) -> None:
    await alice.add_passkey(await alice.signed_up())
    password_step = await alice.api.login()
    problem = assert_problem(password_step, 403)
    assert str(problem["type"]).endswith("mfa-required")
    assert problem["methods"] == ["passkey"]
    mfa_token = str(problem["mfa_token"])

    begun = await alice.client.post(
        "/api/v1/token/mfa/passkey-options", json={"mfa_token": mfa_token}
    )
    assert [c["id"] for c in begun.json()["options"]["allowCredentials"]] == [
        b64url(alice.phone.credentials[0].credential_id)
    ]
    signed_in = await alice.second_step(mfa_token)

    assert signed_in.status_code == 200, signed_in.text
    assert alice.claims(signed_in.json()["access_token"])["amr"] == ["pwd", "hwk"]
    again = await alice.client.post(
        "/api/v1/token/mfa/passkey-options", json={"mfa_token": mfa_token}
    )
    assert_problem(again, 401)  # the mfa_token worked once


async def test_an_account_without_passkeys_has_no_passkey_second_step(alice: PasskeyUser) -> None:
    await alice.signed_up()
    begun = await alice.client.post(
        "/api/v1/token/mfa/passkey-options", json={"mfa_token": "not-a-token"}
    )
    assert_problem(begun, 401)


def _malformed(answer: dict[str, Any]) -> dict[str, Any]:
    answer["response"]["authenticatorData"] = b64url(b"\x00short")
    return answer


@pytest.mark.parametrize(
    "problem",
    [
        "malformed",
        "wrong_challenge",
        "expired",
        "reused",
        "cloned",
        "wrong_origin",
        "no_user_verification",
        "unknown_passkey",
    ],
)
async def test_a_bad_answer_signs_nobody_in_and_changes_nothing(
    alice: PasskeyUser, problem: str
) -> None:
    await alice.add_passkey(await alice.signed_up())
    first = await alice.sign_in()  # the counter is 1 now
    assert first.status_code == 200, first.text
    ceremony = await alice.sign_in_options()
    challenge_id, options = ceremony["challenge_id"], ceremony["options"]
    knobs: dict[str, Any] = {
        "cloned": {"counter": 1},
        "wrong_origin": {"origin": "https://accounts.evil.example"},
        "no_user_verification": {"user_verified": False},
    }.get(problem, {})
    if problem == "wrong_challenge":
        options = (await alice.sign_in_options())["options"]
    if problem == "unknown_passkey":
        stranger = SoftwareAuthenticator()
        stranger.create(
            (
                await alice.registration_options(
                    await alice.api.signed_up(username="bob", email="bob@example.com")
                )
            ).json()["options"]
        )
        answer = stranger.get(options)
    else:
        answer = alice.phone.get(options, **knobs)
    if problem == "malformed":
        answer = _malformed(answer)
    if problem == "expired":
        await alice.expire_challenge(challenge_id)
    if problem == "reused":
        assert (await alice.answer_sign_in(challenge_id, answer)).status_code == 200
    sessions, counts = await alice.sessions(), await alice.sign_counts()

    refused = await alice.answer_sign_in(challenge_id, answer)

    body = assert_problem(refused, 401)
    assert "passkey could not be verified" in str(body["detail"])
    assert (await alice.sessions(), await alice.sign_counts()) == (sessions, counts)


async def test_failed_answers_lock_the_passkeys_account_like_wrong_passwords(
    alice: PasskeyUser,
) -> None:
    await alice.add_passkey(await alice.signed_up())
    assert (await alice.sign_in()).status_code == 200
    for _ in range(5):  # LOGIN_LOCKOUT: 5 per 15 minutes; a counter gone back is a clone
        assert_problem(await alice.sign_in(counter=1), 401)

    locked = await alice.sign_in()

    assert_problem(locked, 429)
    failed = [details for kind, details in await alice.audit() if kind == "sign_in.failed"]
    assert failed == [{"reason": "wrong_passkey", "during": "sign_in"}] * 5


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"challenge_id": "not-a-uuid", "credential": {}},
        {"challenge_id": "6d0a2a51-7e46-4e0c-9c5f-0f1e3b2c8a11", "credential": "text"},
        {"challenge_id": "6d0a2a51-7e46-4e0c-9c5f-0f1e3b2c8a11", "credential": {"id": "AAAA"}},
        {
            "challenge_id": "6d0a2a51-7e46-4e0c-9c5f-0f1e3b2c8a11",
            "credential": {
                "id": "AAAA",
                "rawId": "AAAA",
                "type": "public-key",
                "response": {"clientDataJSON": "e30", "authenticatorData": "AA", "signature": "+/"},
            },
        },
    ],
    ids=[
        "empty",
        "bad_challenge_id",
        "credential_not_an_object",
        "credential_without_its_response",
        "not_base64url",
    ],
)
async def test_a_malformed_request_is_invalid(alice: PasskeyUser, body: dict[str, Any]) -> None:
    assert_problem(await alice.client.post("/api/v1/token/passkey", json=body), 422)


async def test_a_disabled_account_signs_in_with_its_passkey_neither_alone_nor_as_second_step(
    alice: PasskeyUser,
) -> None:
    await alice.add_passkey(await alice.signed_up())
    mfa_token = await alice.mfa_token()
    await alice.db.execute("UPDATE users SET disabled_at = now() WHERE username = 'alice'")
    sessions = await alice.sessions()

    alone = await alice.sign_in()
    second = await alice.second_step(mfa_token)

    for refused in (alone, second):
        assert "disabled" in str(assert_problem(refused, 403)["detail"])
    assert await alice.sessions() == sessions


async def test_the_token_of_an_ended_session_manages_no_passkey(alice: PasskeyUser) -> None:
    headers = await alice.signed_up()
    added = await alice.add_passkey(headers)
    signed_in = (await alice.sign_in()).json()
    bearer = {"Authorization": f"Bearer {signed_in['access_token']}"}
    ended = await alice.client.post(
        "/api/v1/token/revoke", json={"refresh_token": signed_in["refresh_token"]}
    )
    assert ended.status_code == 200, ended.text

    calls = [
        alice.client.get("/api/v1/mfa", headers=bearer),
        alice.client.patch(
            f"/api/v1/mfa/passkeys/{added['id']}", json={"name": "x"}, headers=bearer
        ),
        alice.client.post("/api/v1/mfa/passkeys/step-up-options", headers=bearer),
        alice.registration_options(bearer),
    ]
    for call in calls:
        assert_problem(await call, 401)
    assert [p["name"] for p in await alice.passkeys(headers)] == [added["name"]]
