"""The second factors of an account through the API on the real services: turning TOTP on and
off and new recovery codes need the password and (once on) a code; malformed input changes
nothing."""

from __future__ import annotations

import psycopg
import pytest

from tests.integration.api_client import assert_problem, field_error
from tests.integration.two_step import PASSWORD, TwoStep, outbox_events


async def _profile(two_step: TwoStep, headers: dict[str, str]) -> dict:
    response = await two_step.client.get("/api/v1/users", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


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
    assert len(await outbox_events(db, "user.mfa_disabled")) == 1
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
