"""Two-step sign-in through the API on the real services: turning it on, the second step with a
code from an authenticator app (pyotp) or a recovery code, and the ways in that it closes."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import psycopg

from tests.integration.api_client import assert_problem
from tests.integration.two_step import PASSWORD, TwoStep, outbox_events


async def test_turning_it_on_then_signing_in_with_a_code(
    two_step: TwoStep, db: psycopg.AsyncConnection
) -> None:
    headers = await two_step.signed_up()
    started = await two_step.client.post(
        "/api/v1/mfa/totp", json={"current_password": PASSWORD}, headers=headers
    )
    assert started.status_code == 201, started.text
    secret = started.json()["secret"]
    uri = urlsplit(started.json()["otpauth_uri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert parse_qs(uri.query)["secret"] == [secret]
    assert parse_qs(uri.query)["issuer"] == ["Accounts"]
    # Pending until a code comes back: sign-in asks for none yet.
    assert await two_step.status(headers) == {
        "totp": False,
        "recovery_codes_left": 0,
        "passkeys": [],
    }
    assert (await two_step.password_step()).status_code == 200

    confirmed = await two_step.client.post(
        "/api/v1/mfa/totp/confirm", json={"code": two_step.code(secret)}, headers=headers
    )

    assert confirmed.status_code == 200, confirmed.text
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    assert all(len(code) == 11 and code[5] == "-" for code in codes)
    assert await two_step.status(headers) == {
        "totp": True,
        "recovery_codes_left": 10,
        "passkeys": [],
    }
    refused = await two_step.password_step()
    problem = assert_problem(refused, 403)
    assert str(problem["type"]).endswith("mfa-required")
    assert problem["methods"] == ["totp", "recovery_code"]
    assert "access_token" not in problem
    two_step.next_step()
    signed_in = await two_step.second_step(str(problem["mfa_token"]), code=two_step.code(secret))
    assert signed_in.status_code == 200, signed_in.text
    claims = two_step.claims(signed_in.json()["access_token"])
    assert claims["amr"] == ["pwd", "otp"]
    assert abs(claims["auth_time"] - two_step.clock.now().timestamp()) < 5
    (enabled,) = await outbox_events(db, "user.mfa_enabled")
    assert enabled["email"] == "alice@example.com"
    # No secret, and no code, ever leaves in an event.
    cursor = await db.execute("SELECT payload::text FROM outbox")
    for (payload,) in await cursor.fetchall():
        assert secret not in payload
        assert not any(code in payload for code in codes)


async def test_the_secret_is_sealed_at_rest(two_step: TwoStep, db: psycopg.AsyncConnection) -> None:
    enrolled = await two_step.enrol(await two_step.signed_up())

    ((sealed,),) = await (await db.execute("SELECT sealed_secret FROM totp_credentials")).fetchall()
    assert enrolled.secret.encode() not in bytes(sealed)
    cursor = await db.execute("SELECT code_hash FROM recovery_codes")
    stored = {code_hash for (code_hash,) in await cursor.fetchall()}
    assert len(stored) == 10
    assert not stored & set(enrolled.recovery_codes)


async def test_a_code_is_accepted_once(two_step: TwoStep) -> None:
    enrolled = await two_step.enrol(await two_step.signed_up())
    code = two_step.code(enrolled.secret)
    first = await two_step.second_step(await two_step.mfa_token(), code=code)
    assert first.status_code == 200, first.text

    replayed = await two_step.second_step(await two_step.mfa_token(), code=code)

    assert_problem(replayed, 401)


async def test_of_two_sign_ins_racing_with_one_code_one_wins(two_step: TwoStep) -> None:
    enrolled = await two_step.enrol(await two_step.signed_up())
    tokens = [await two_step.mfa_token() for _ in range(4)]
    code = two_step.code(enrolled.secret)

    answers = await asyncio.gather(*(two_step.second_step(t, code=code) for t in tokens))

    assert sorted(a.status_code for a in answers) == [200, 401, 401, 401]


async def test_one_step_of_clock_drift_is_accepted_and_two_are_not(two_step: TwoStep) -> None:
    enrolled = await two_step.enrol(await two_step.signed_up())
    two_step.next_step(3)  # well past the code that confirmed

    for steps in (-2, 2):
        answer = await two_step.second_step(
            await two_step.mfa_token(), code=two_step.code(enrolled.secret, steps)
        )
        assert_problem(answer, 401)
    for steps in (-1, 1):
        answer = await two_step.second_step(
            await two_step.mfa_token(), code=two_step.code(enrolled.secret, steps)
        )
        assert answer.status_code == 200, (steps, answer.text)


async def test_a_recovery_code_works_once_and_the_owner_hears_of_it(
    two_step: TwoStep, db: psycopg.AsyncConnection
) -> None:
    headers = await two_step.signed_up()
    enrolled = await two_step.enrol(headers)
    code = enrolled.recovery_codes[0]

    # As typed from paper: upper case, without the dash.
    used = await two_step.second_step(
        await two_step.mfa_token(), recovery_code=code.replace("-", "").upper()
    )

    assert used.status_code == 200, used.text
    assert two_step.claims(used.json()["access_token"])["amr"] == ["pwd", "rcv"]
    assert (await two_step.status(headers))["recovery_codes_left"] == 9
    (notice,) = await outbox_events(db, "user.recovery_code_used")
    assert notice["recovery_codes_left"] == 9
    again = await two_step.second_step(await two_step.mfa_token(), recovery_code=code)
    assert_problem(again, 401)
    other = await two_step.second_step(
        await two_step.mfa_token(), recovery_code=enrolled.recovery_codes[1]
    )
    assert other.status_code == 200, other.text


async def test_wrong_codes_count_as_failed_sign_ins(two_step: TwoStep) -> None:
    enrolled = await two_step.enrol(await two_step.signed_up())
    mfa_token = await two_step.mfa_token()
    right = two_step.code(enrolled.secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    for _ in range(5):  # LOGIN_LOCKOUT: 5 per 15 minutes
        assert_problem(await two_step.second_step(mfa_token, code=wrong), 401)
    locked = await two_step.second_step(mfa_token, code=right)

    assert_problem(locked, 429)
    assert_problem(await two_step.second_step(mfa_token, recovery_code="aaaaa-aaaaa"), 429)


async def test_the_password_alone_does_not_make_the_network_familiar(two_step: TwoStep) -> None:
    enrolled = await two_step.enrol(await two_step.signed_up())
    for _ in range(6):
        # Right passwords are no failures, and open no account either.
        assert (await two_step.password_step()).status_code == 403
    signed_in = await two_step.second_step(
        await two_step.mfa_token(), code=two_step.code(enrolled.secret)
    )
    assert signed_in.status_code == 200, signed_in.text


async def test_a_refresh_keeps_how_the_session_signed_in(two_step: TwoStep) -> None:
    enrolled = await two_step.enrol(await two_step.signed_up())
    session = await two_step.signed_in(enrolled.secret)
    signed_in = two_step.claims(session["access_token"])

    refreshed = await two_step.client.post(
        "/api/v1/token/refresh", json={"refresh_token": session["refresh_token"]}
    )

    assert refreshed.status_code == 200, refreshed.text
    claims = two_step.claims(refreshed.json()["access_token"])
    assert claims["amr"] == ["pwd", "otp"]
    assert claims["auth_time"] == signed_in["auth_time"]


async def test_a_password_only_session_says_so(two_step: TwoStep) -> None:
    await two_step.signed_up()
    session = (await two_step.password_step()).json()
    refreshed = await two_step.client.post(
        "/api/v1/token/refresh", json={"refresh_token": session["refresh_token"]}
    )
    assert two_step.claims(session["access_token"])["amr"] == ["pwd"]
    assert two_step.claims(refreshed.json()["access_token"])["amr"] == ["pwd"]
