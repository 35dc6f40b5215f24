"""Sensitive changes of an account with two-step sign-in, through the API on the real services:
a stolen access token with the password is not enough; the second factors themselves change
only with the password and a code."""

from __future__ import annotations

import psycopg
import pytest

from tests.integration.api_client import assert_problem, field_error
from tests.integration.two_step import PASSWORD, TwoStep


async def _events(db: psycopg.AsyncConnection, event_type: str) -> list[dict]:
    cursor = await db.execute(
        "SELECT payload FROM outbox WHERE type = %s ORDER BY id", (event_type,)
    )
    return [payload for (payload,) in await cursor.fetchall()]


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
    (notice,) = await _events(db, "user.recovery_code_used")
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


async def test_turning_it_off_needs_the_password_and_a_code(
    two_step: TwoStep, db: psycopg.AsyncConnection
) -> None:
    headers = await two_step.signed_up()
    enrolled = await two_step.enrol(headers)
    code = two_step.code(enrolled.secret)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    async def off(**body: str):
        return await two_step.client.request(
            "DELETE", "/api/v1/mfa/totp", json=body, headers=headers
        )

    field_error(await off(current_password=PASSWORD), "code")
    field_error(await off(code=code), "current_password")
    assert_problem(await off(current_password="not-the-password", code=code), 403)
    assert_problem(await off(current_password=PASSWORD, code=wrong), 403)
    assert (await two_step.status(headers))["totp"] is True

    turned_off = await off(current_password=PASSWORD, code=code)

    assert turned_off.status_code == 204, turned_off.text
    assert await two_step.status(headers) == {
        "totp": False,
        "recovery_codes_left": 0,
        "passkeys": [],
    }
    session = await two_step.password_step()
    assert session.status_code == 200, session.text
    assert two_step.claims(session.json()["access_token"])["amr"] == ["pwd"]
    assert await (await db.execute("SELECT count(*) FROM recovery_codes")).fetchone() == (0,)
    assert len(await _events(db, "user.mfa_disabled")) == 1
    assert_problem(await off(current_password=PASSWORD, code=two_step.code(enrolled.secret)), 409)


async def test_new_recovery_codes_void_the_old_set(two_step: TwoStep) -> None:
    headers = await two_step.signed_up()
    enrolled = await two_step.enrol(headers)

    renewed = await two_step.client.post(
        "/api/v1/mfa/recovery-codes",
        json={"current_password": PASSWORD, "code": two_step.code(enrolled.secret)},
        headers=headers,
    )

    assert renewed.status_code == 200, renewed.text
    fresh = renewed.json()["recovery_codes"]
    assert len(fresh) == 10
    assert not set(fresh) & set(enrolled.recovery_codes)
    for old in enrolled.recovery_codes[:2]:
        answer = await two_step.second_step(await two_step.mfa_token(), recovery_code=old)
        assert_problem(answer, 401)
    answer = await two_step.second_step(await two_step.mfa_token(), recovery_code=fresh[0])
    assert answer.status_code == 200, answer.text


async def test_new_recovery_codes_need_the_password_and_a_code(two_step: TwoStep) -> None:
    headers = await two_step.signed_up()
    enrolled = await two_step.enrol(headers)

    async def renew(**body: str):
        return await two_step.client.post("/api/v1/mfa/recovery-codes", json=body, headers=headers)

    field_error(await renew(current_password=PASSWORD), "code")
    assert_problem(await renew(current_password="wrong-password", code="000000"), 403)
    assert_problem(await renew(current_password=PASSWORD, code="000000"), 403)
    assert (await two_step.status(headers))["recovery_codes_left"] == 10
    with_recovery_code = await renew(
        current_password=PASSWORD, recovery_code=enrolled.recovery_codes[0]
    )
    assert with_recovery_code.status_code == 200, with_recovery_code.text


async def test_enrolment_needs_the_password_and_a_right_code(two_step: TwoStep) -> None:
    headers = await two_step.signed_up()

    async def start(**body: str):
        return await two_step.client.post("/api/v1/mfa/totp", json=body, headers=headers)

    field_error(await start(), "current_password")
    assert_problem(await start(current_password="not-the-password"), 403)
    nothing_pending = await two_step.client.post(
        "/api/v1/mfa/totp/confirm", json={"code": "123456"}, headers=headers
    )
    assert_problem(nothing_pending, 409)
    secret = (await start(current_password=PASSWORD)).json()["secret"]
    wrong = f"{(int(two_step.code(secret)) + 1) % 1_000_000:06d}"
    assert_problem(
        await two_step.client.post(
            "/api/v1/mfa/totp/confirm", json={"code": wrong}, headers=headers
        ),
        403,
    )
    assert (await two_step.status(headers))["totp"] is False
    # A second start replaces the pending secret: the first one no longer confirms.
    newer = (await start(current_password=PASSWORD)).json()["secret"]
    assert_problem(
        await two_step.client.post(
            "/api/v1/mfa/totp/confirm", json={"code": two_step.code(secret)}, headers=headers
        ),
        403,
    )
    confirmed = await two_step.client.post(
        "/api/v1/mfa/totp/confirm", json={"code": two_step.code(newer)}, headers=headers
    )
    assert confirmed.status_code == 200, confirmed.text
    assert_problem(await start(current_password=PASSWORD), 409)


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/api/v1/mfa/totp/confirm", {"code": "abc"}, "code"),
        ("POST", "/api/v1/mfa/totp/confirm", {}, "code"),
        ("POST", "/api/v1/mfa/totp", {"current_password": ""}, "current_password"),
        (
            "DELETE",
            "/api/v1/mfa/totp",
            {"current_password": PASSWORD, "code": "123456", "recovery_code": "abcde-fghij"},
            "_body",
        ),
        ("POST", "/api/v1/mfa/recovery-codes", {"current_password": PASSWORD, "code": "1"}, "code"),
        (
            "PATCH",
            "/api/v1/users",
            {"email": "new@example.com", "current_password": PASSWORD, "code": "12 456"},
            "code",
        ),
        ("DELETE", "/api/v1/users", {"password": PASSWORD, "recovery_code": "x"}, "recovery_code"),
    ],
)
async def test_malformed_input_is_422_and_changes_nothing(
    two_step: TwoStep, method: str, path: str, body: dict[str, str], field: str
) -> None:
    headers = await two_step.signed_up()
    enrolled = await two_step.enrol(headers)
    before = await _profile(two_step, headers)

    answer = await two_step.client.request(method, path, json=body, headers=headers)

    field_error(answer, field)
    assert await _profile(two_step, headers) == before
    assert await two_step.status(headers) == {
        "totp": True,
        "recovery_codes_left": 10,
        "passkeys": [],
    }
    # Nothing was counted as a failed sign-in, and the current code still works.
    assert (await two_step.signed_in(enrolled.secret))["access_token"]


async def test_the_second_factor_endpoints_need_a_token(two_step: TwoStep) -> None:
    for method, path in (
        ("GET", "/api/v1/mfa"),
        ("POST", "/api/v1/mfa/totp"),
        ("DELETE", "/api/v1/mfa/totp"),
        ("POST", "/api/v1/mfa/totp/confirm"),
        ("POST", "/api/v1/mfa/recovery-codes"),
    ):
        answer = await two_step.client.request(method, path, json={})
        assert_problem(answer, 401)
