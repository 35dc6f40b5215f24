"""The sign-in page of an account with two-step sign-in: the password form leads to a second
form that asks for the code, with its own CSRF token; only that second step starts a session."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from tests.integration.test_pages import Browser
from tests.integration.two_step import PASSWORD, Enrolled, TwoStep


async def _enrolled(two_step: TwoStep) -> tuple[Browser, Enrolled]:
    enrolled = await two_step.enrol(await two_step.signed_up())
    return Browser(two_step.client), enrolled


async def _password_step(browser: Browser) -> httpx.Response:
    answer = await browser.submit("/login", username="alice", password=PASSWORD)
    assert answer.status_code == 200, answer.text
    assert 'action="/login/code"' in answer.text
    return answer


def _form_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', html))


async def test_the_password_leads_to_the_code_form_and_the_code_to_the_account(
    two_step: TwoStep,
) -> None:
    browser, enrolled = await _enrolled(two_step)

    asked = await _password_step(browser)

    assert "session" not in browser.client.cookies, "no session for the password alone"
    assert 'autocomplete="one-time-code"' in asked.text
    fields = _form_fields(asked.text)
    assert fields.keys() == {"csrf_token", "mfa_token"}
    signed_in = await browser.client.post(
        "/login/code", data={**fields, "code": two_step.code(enrolled.secret)}
    )
    assert signed_in.status_code == 303, signed_in.text
    assert signed_in.headers["location"] == "/account"
    account = await browser.client.get("/account")
    assert account.status_code == 200
    assert "alice@example.com" in account.text


async def test_a_wrong_code_is_shown_on_the_form_and_a_recovery_code_works(
    two_step: TwoStep,
) -> None:
    browser, enrolled = await _enrolled(two_step)
    fields = _form_fields((await _password_step(browser)).text)
    wrong = f"{(int(two_step.code(enrolled.secret)) + 1) % 1_000_000:06d}"

    refused = await browser.client.post("/login/code", data={**fields, "code": wrong})

    assert refused.status_code == 401
    assert "The code is wrong" in refused.text
    assert wrong not in refused.text, "a code typed is not shown again"
    again = _form_fields(refused.text)
    assert again["mfa_token"] == fields["mfa_token"]
    recovered = await browser.client.post(
        "/login/code", data={**again, "recovery_code": enrolled.recovery_codes[0]}
    )
    assert recovered.status_code == 303, recovered.text


async def test_a_code_form_posted_too_late_or_forged_starts_over(two_step: TwoStep) -> None:
    browser, enrolled = await _enrolled(two_step)
    fields = _form_fields((await _password_step(browser)).text)
    two_step.clock.offset += timedelta(minutes=5, seconds=1)

    late = await browser.client.post(
        "/login/code", data={**fields, "code": two_step.code(enrolled.secret)}
    )

    assert late.status_code == 303
    assert late.headers["location"] == "/login?notice=sign-in-expired"
    without_csrf = await browser.client.post(
        "/login/code", data={"mfa_token": fields["mfa_token"], "code": "123456"}
    )
    assert without_csrf.status_code == 403
    assert (await browser.client.get("/login/code")).headers["location"] == "/login"


async def test_the_account_page_asks_for_the_code_where_the_password_is_asked(
    two_step: TwoStep,
) -> None:
    browser, enrolled = await _enrolled(two_step)
    fields = _form_fields((await _password_step(browser)).text)
    code = two_step.code(enrolled.secret)
    assert (await browser.client.post("/login/code", data={**fields, "code": code})).is_redirect
    two_step.next_step()
    account = await browser.client.get("/account")
    # The email, the password, deleting the account, and adding a passkey.
    assert account.text.count('autocomplete="one-time-code"') == 4

    without = await browser.submit(
        "/account/email", "/account", email="new@example.com", current_password=PASSWORD
    )
    assert without.status_code == 422
    assert 'id="email-code-error"' in without.text
    changed = await browser.submit(
        "/account/email",
        "/account",
        email="new@example.com",
        current_password=PASSWORD,
        code=two_step.code(enrolled.secret),
    )
    assert changed.status_code == 303, changed.text
    assert changed.headers["location"] == "/account?notice=email-change-asked"
