"""/account/two-step: a person turns two-step sign-in on from the browser (a QR code drawn on the
server and the key as text, then the app's first code), sees the recovery codes once and
downloads them, makes new ones and turns it off; every step needs the password again."""

from __future__ import annotations

import re

import pytest

from tests.integration.test_pages import Browser
from tests.integration.two_step import PASSWORD, TwoStep


@pytest.fixture
async def browser(two_step: TwoStep) -> Browser:
    await two_step.signed_up()
    browser = Browser(two_step.client)
    signed_in = await browser.submit("/login", username="alice", password=PASSWORD)
    assert signed_in.status_code == 303, signed_in.text
    return browser


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden {name} field"
    return found.group(1)


def _codes(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z0-9-]+)</code></li>", html)


async def _turned_on(browser: Browser, two_step: TwoStep) -> tuple[str, list[str]]:
    enrol = await browser.submit(
        "/account/two-step/start", "/account/two-step", current_password=PASSWORD
    )
    assert enrol.status_code == 200, enrol.text
    secret = _hidden(enrol.text, "secret")
    confirmed = await browser.submit(
        "/account/two-step/confirm",
        "/account/two-step",
        secret=secret,
        uri=_hidden(enrol.text, "uri"),
        code=two_step.code(secret),
    )
    assert confirmed.status_code == 200, confirmed.text
    two_step.next_step()
    return secret, _codes(confirmed.text)


async def test_turning_it_on_shows_a_qr_code_then_the_codes_once(
    browser: Browser, two_step: TwoStep
) -> None:
    off = await browser.client.get("/account/two-step")
    assert "Two-step sign-in is off" in off.text

    enrol = await browser.submit(
        "/account/two-step/start", "/account/two-step", current_password=PASSWORD
    )

    assert '<svg width="' in enrol.text
    assert "QR code for your app" in enrol.text
    secret = _hidden(enrol.text, "secret")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert f'<code class="secret">{secret}</code>' in enrol.text
    assert "<script" not in enrol.text
    confirmed = await browser.submit(
        "/account/two-step/confirm",
        "/account/two-step",
        secret=secret,
        uri=_hidden(enrol.text, "uri"),
        code=two_step.code(secret),
    )
    codes = _codes(confirmed.text)
    assert len(codes) == 10
    download = await browser.client.post(
        "/account/two-step/codes.txt",
        data={"csrf_token": await browser.csrf("/account/two-step"), "codes": " ".join(codes)},
    )
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment")
    assert all(code in download.text for code in codes)
    status = await browser.client.get("/account/two-step")
    assert "Two-step sign-in is on" in status.text
    assert "10 unused recovery codes" in status.text
    assert not set(codes) & set(_codes(status.text)), "the codes are shown only once"


async def test_a_wrong_first_code_keeps_the_qr_code_and_turns_nothing_on(
    browser: Browser, two_step: TwoStep
) -> None:
    enrol = await browser.submit(
        "/account/two-step/start", "/account/two-step", current_password=PASSWORD
    )
    secret = _hidden(enrol.text, "secret")
    wrong = f"{(int(two_step.code(secret)) + 1) % 1_000_000:06d}"

    refused = await browser.submit(
        "/account/two-step/confirm",
        "/account/two-step",
        secret=secret,
        uri=_hidden(enrol.text, "uri"),
        code=wrong,
    )

    assert refused.status_code == 403
    assert "QR code for your app" in refused.text
    assert wrong not in refused.text
    assert "Two-step sign-in is off" in (await browser.client.get("/account/two-step")).text


async def test_a_wrong_password_starts_nothing(browser: Browser) -> None:
    refused = await browser.submit(
        "/account/two-step/start", "/account/two-step", current_password="not-the-password"
    )

    assert refused.status_code == 403
    assert "QR code" not in refused.text
    assert "Turn on two-step sign-in" in refused.text


async def test_new_codes_and_turning_off_need_the_password_and_a_code(
    browser: Browser, two_step: TwoStep
) -> None:
    secret, first = await _turned_on(browser, two_step)

    without_code = await browser.submit(
        "/account/two-step/recovery-codes", "/account/two-step", current_password=PASSWORD
    )
    assert without_code.status_code == 422
    renewed = await browser.submit(
        "/account/two-step/recovery-codes",
        "/account/two-step",
        current_password=PASSWORD,
        code=two_step.code(secret),
    )
    assert renewed.status_code == 200, renewed.text
    fresh = _codes(renewed.text)
    assert len(fresh) == 10
    assert not set(fresh) & set(first)

    turned_off = await browser.submit(
        "/account/two-step/disable",
        "/account/two-step",
        current_password=PASSWORD,
        recovery_code=fresh[0],
    )
    assert turned_off.status_code == 303, turned_off.text
    assert "Two-step sign-in is off" in (await browser.client.get("/account/two-step")).text


async def test_signed_out_people_are_sent_to_sign_in(two_step: TwoStep) -> None:
    answer = await two_step.client.get("/account/two-step")

    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")


async def test_the_account_page_leads_to_two_step_sign_in_whatever_providers_there_are(
    browser: Browser, two_step: TwoStep
) -> None:
    off = (await browser.client.get("/account")).text
    assert '<a href="/account/two-step">Turn on two-step sign-in</a>' in off
    await _turned_on(browser, two_step)
    on = (await browser.client.get("/account")).text
    assert '<a href="/account/two-step">Manage two-step sign-in</a>' in on
