"""The mfa_token of a sign-in's password step, through the API on the real services: it works
once, for minutes, for its account at its token version, with a code, and for nothing else."""

from __future__ import annotations

import secrets
from datetime import timedelta

import psycopg
import pytest

from tests.integration.api_client import assert_problem
from tests.integration.two_step import TwoStep


async def test_an_expired_forged_used_or_foreign_mfa_token_is_refused(two_step: TwoStep) -> None:
    alice = await two_step.enrol(await two_step.signed_up("alice"))
    bob = await two_step.enrol(await two_step.signed_up("bob"))
    expiring = await two_step.mfa_token("alice")
    two_step.clock.offset += timedelta(minutes=5, seconds=1)

    assert_problem(await two_step.second_step(expiring, code=two_step.code(alice.secret)), 401)
    forged = secrets.token_urlsafe(32)
    assert_problem(await two_step.second_step(forged, code=two_step.code(alice.secret)), 401)
    # Alice's token with Bob's code: the code is checked against the token's account.
    alices = await two_step.mfa_token("alice")
    assert_problem(await two_step.second_step(alices, code=two_step.code(bob.secret)), 401)
    used = await two_step.mfa_token("bob")
    assert (await two_step.second_step(used, code=two_step.code(bob.secret))).status_code == 200
    two_step.next_step()
    assert_problem(await two_step.second_step(used, code=two_step.code(bob.secret)), 401)


async def test_a_password_changed_since_the_first_step_voids_its_mfa_token(
    two_step: TwoStep, db: psycopg.AsyncConnection
) -> None:
    enrolled = await two_step.enrol(await two_step.signed_up())
    mfa_token = await two_step.mfa_token()
    await db.execute("UPDATE users SET token_version = token_version + 1")

    answer = await two_step.second_step(mfa_token, code=two_step.code(enrolled.secret))

    assert_problem(answer, 401)


async def test_an_mfa_token_is_no_access_token_and_an_access_token_no_mfa_token(
    two_step: TwoStep,
) -> None:
    enrolled = await two_step.enrol(await two_step.signed_up())
    mfa_token = await two_step.mfa_token()

    as_bearer = await two_step.client.get(
        "/api/v1/users", headers={"Authorization": f"Bearer {mfa_token}"}
    )
    assert_problem(as_bearer, 401)
    access = (await two_step.signed_in(enrolled.secret))["access_token"]
    as_mfa_token = await two_step.second_step(access, code=two_step.code(enrolled.secret))
    assert_problem(as_mfa_token, 401)
    # The mfa_token still works: neither use spent it.
    finished = await two_step.second_step(mfa_token, code=two_step.code(enrolled.secret))
    assert finished.status_code == 200, finished.text


@pytest.mark.parametrize(
    ("factor", "field"),
    [
        ({"code": "12345"}, "code"),
        ({"code": "12345a"}, "code"),
        ({"code": "123456\n"}, "code"),
        ({"recovery_code": "abcde_fghij"}, "recovery_code"),
        ({"recovery_code": "abcde-fghi1"}, "recovery_code"),
        ({}, "code"),
        ({"code": "123456", "recovery_code": "abcde-fghij"}, "_body"),
    ],
)
async def test_a_malformed_second_step_is_422_and_spends_nothing(
    two_step: TwoStep, factor: dict[str, str], field: str
) -> None:
    enrolled = await two_step.enrol(await two_step.signed_up())
    mfa_token = await two_step.mfa_token()

    answer = await two_step.second_step(mfa_token, **factor)

    errors = assert_problem(answer, 422)["errors"]
    assert field in errors, errors
    assert_problem(await two_step.client.post("/api/v1/token/mfa", json={"code": "123456"}), 422)
    finished = await two_step.second_step(mfa_token, code=two_step.code(enrolled.secret))
    assert finished.status_code == 200, finished.text
