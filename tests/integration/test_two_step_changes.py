"""Sensitive changes of an account with two-step sign-in, through the API on the real services:
a stolen access token with the password is not enough; the second factors themselves change
only with the password and a code."""

from __future__ import annotations

import psycopg
import pytest

from tests.integration.api_client import assert_problem, field_error
from tests.integration.two_step import PASSWORD, TwoStep, outbox_events


async def _profile(two_step: TwoStep, headers: dict[str, str]) -> dict:
    response = await two_step.client.get("/api/v1/users", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.parametrize(
    "change",
    [
        {"email": "mallory@example.com", "current_password": PASSWORD},
        {"password": "a-brand-new-passphrase", "current_password": PASSWORD},
    ],
    ids=["email", "password"],
)
async def test_a_stolen_token_and_the_password_do_not_change_the_account(
    two_step: TwoStep, change: dict[str, str]
) -> None:
    headers = await two_step.signed_up()
    enrolled = await two_step.enrol(headers)
    before = await _profile(two_step, headers)

    without_code = await two_step.client.patch("/api/v1/users", json=change, headers=headers)
    assert "Two-step sign-in is on" in field_error(without_code, "code")
    wrong = f"{(int(two_step.code(enrolled.secret)) + 1) % 1_000_000:06d}"
    with_wrong_code = await two_step.client.patch(
        "/api/v1/users", json={**change, "code": wrong}, headers=headers
    )
    assert_problem(with_wrong_code, 403)

    assert await _profile(two_step, headers) == before
    assert (await two_step.password_step()).status_code == 403  # the password is unchanged
    changed = await two_step.client.patch(
        "/api/v1/users", json={**change, "code": two_step.code(enrolled.secret)}, headers=headers
    )
    assert changed.status_code == 200, changed.text


async def test_a_wrong_code_with_a_change_counts_as_a_failed_sign_in(two_step: TwoStep) -> None:
    headers = await two_step.signed_up()
    enrolled = await two_step.enrol(headers)
    right = two_step.code(enrolled.secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    change = {"email": "new@example.com", "current_password": PASSWORD}

    for _ in range(5):
        answer = await two_step.client.patch(
            "/api/v1/users", json={**change, "code": wrong}, headers=headers
        )
        assert_problem(answer, 403)
    locked = await two_step.client.patch(
        "/api/v1/users", json={**change, "code": right}, headers=headers
    )

    assert_problem(locked, 429)


async def test_a_code_used_to_sign_in_does_not_authorise_a_change(two_step: TwoStep) -> None:
    headers = await two_step.signed_up()
    enrolled = await two_step.enrol(headers)
    code = two_step.code(enrolled.secret)
    signed_in = await two_step.second_step(await two_step.mfa_token(), code=code)
    assert signed_in.status_code == 200, signed_in.text

    replayed = await two_step.client.patch(
        "/api/v1/users",
        json={"email": "new@example.com", "current_password": PASSWORD, "code": code},
        headers=headers,
    )

    assert_problem(replayed, 403)


async def test_a_recovery_code_authorises_a_change_once(
    two_step: TwoStep, db: psycopg.AsyncConnection
) -> None:
    headers = await two_step.signed_up()
    enrolled = await two_step.enrol(headers)
    change = {
        "email": "new@example.com",
        "current_password": PASSWORD,
        "recovery_code": enrolled.recovery_codes[0],
    }

    assert (await two_step.client.patch("/api/v1/users", json=change, headers=headers)).is_success
    again = await two_step.client.patch(
        "/api/v1/users", json={**change, "email": "newer@example.com"}, headers=headers
    )

    assert_problem(again, 403)
    assert (await two_step.status(headers))["recovery_codes_left"] == 9
    (notice,) = await outbox_events(db, "user.recovery_code_used")
    assert notice["recovery_codes_left"] == 9


async def test_deleting_the_account_needs_the_code_too(two_step: TwoStep) -> None:
    headers = await two_step.signed_up()
    enrolled = await two_step.enrol(headers)

    without_code = await two_step.client.request(
        "DELETE", "/api/v1/users", json={"password": PASSWORD}, headers=headers
    )
    field_error(without_code, "code")
    assert (await _profile(two_step, headers))["username"] == "alice"
    deleted = await two_step.client.request(
        "DELETE",
        "/api/v1/users",
        json={"password": PASSWORD, "code": two_step.code(enrolled.secret)},
        headers=headers,
    )
    assert deleted.status_code == 204, deleted.text
