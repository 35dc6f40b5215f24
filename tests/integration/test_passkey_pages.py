"""Passkeys on the pages, through the app factory on the real services: what the page's script
would do (read a form's options, ask the authenticator, put the answer in the hidden field and
post the form) done here by hand, with the software authenticator. The same flows in Chromium
with its virtual authenticator are in tests/browser/test_passkeys.py."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import httpx
import pytest

from tests.integration.test_pages import PASSWORD, Browser
from tests.webauthn_authenticator import SoftwareAuthenticator


class PasskeyBrowser(Browser):
    """A browser whose page script answers passkey forms with `authenticator`."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        super().__init__(client)
        self.authenticator = SoftwareAuthenticator()

    @staticmethod
    def form(page: str, action: str) -> tuple[str, dict[str, str], dict[str, Any] | None]:
        """The passkey's kind (create or get), the hidden fields and the options of the form
        of `page` that posts to `action`."""
        found = re.search(rf'<form method="post" action="{action}"([^>]*)>(.*?)</form>', page, re.S)
        assert found, f"no form for {action}"
        attributes, inside = found.groups()
        hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', inside))
        kind = re.search(r'data-passkey="(\w+)"', attributes)
        options = re.search(r"data-passkey-options='([^']*)'", attributes)
        parsed = json.loads(html.unescape(options[1])) if options else None
        return (kind[1] if kind else ""), {k: html.unescape(v) for k, v in hidden.items()}, parsed

    async def post_form(
        self,
        page: str,
        action: str,
        answer: bool = True,
        knobs: dict[str, Any] | None = None,
        **fields: str,
    ) -> httpx.Response:
        """Post the form as the page's script sends it: with the passkey's answer (made with
        the authenticator's `knobs`), or with none."""
        kind, hidden, options = self.form(page, action)
        if options is not None and answer:
            ask = self.authenticator.create if kind == "create" else self.authenticator.get
            hidden["credential"] = json.dumps(ask(options, **(knobs or {})))
        return await self.client.post(action, data={**hidden, **fields})

    async def add_passkey(self, name: str = "Phone", **fields: str) -> httpx.Response:
        page = (await self.client.get("/account")).text
        started = await self.post_form(
            page, "/account/passkeys", name=name, current_password=PASSWORD, **fields
        )
        assert started.status_code == 200, started.text
        assert 'data-passkey="create"' in started.text
        return await self.post_form(started.text, "/account/passkeys/save")

    async def sign_out(self) -> None:
        await self.submit("/logout")


@pytest.fixture
async def browser(client: httpx.AsyncClient) -> PasskeyBrowser:
    return PasskeyBrowser(client)


async def test_a_passkey_added_on_the_account_page_signs_in_alone(browser: PasskeyBrowser) -> None:
    await browser.sign_up()

    added = await browser.add_passkey("My phone")

    assert added.status_code == 303, added.text
    assert added.headers["location"] == "/account?notice=passkey-added"
    account = await browser.client.get("/account")
    assert "My phone" in account.text
    await browser.sign_out()
    login = await browser.client.get("/login")
    assert "script-src 'self'" in login.headers["content-security-policy"]
    signed_in = await browser.post_form(login.text, "/login/passkey")
    assert signed_in.status_code == 303, signed_in.text
    assert signed_in.headers["location"] == "/account"
    assert "alice@example.com" in (await browser.client.get("/account")).text


async def test_the_passkey_is_the_second_step_after_the_password(browser: PasskeyBrowser) -> None:
    await browser.sign_up()
    assert (await browser.add_passkey()).status_code == 303
    await browser.sign_out()

    asked = await browser.submit("/login", username="alice", password=PASSWORD)

    assert asked.status_code == 200, asked.text
    assert "session" not in browser.client.cookies, "no session for the password alone"
    assert 'autocomplete="one-time-code"' not in asked.text, "no app: no code is asked for"
    signed_in = await browser.post_form(asked.text, "/login/code")
    assert signed_in.status_code == 303, signed_in.text
    assert signed_in.headers["location"] == "/account"


@pytest.mark.parametrize("problem", ["no_answer", "forged"])
async def test_a_failed_passkey_sign_in_says_so_on_the_sign_in_page(
    browser: PasskeyBrowser, problem: str
) -> None:
    await browser.sign_up()
    assert (await browser.add_passkey()).status_code == 303
    await browser.sign_out()
    login = (await browser.client.get("/login")).text

    refused = await browser.post_form(
        login,
        "/login/passkey",
        answer=problem == "forged",
        knobs={"tamper_signature": True},
    )

    assert refused.status_code == (400 if problem == "no_answer" else 401)
    expected = "gave no passkey" if problem == "no_answer" else "could not be verified"
    assert expected in refused.text
    assert "session" not in browser.client.cookies


async def test_a_passkey_only_account_confirms_changes_with_the_passkey(
    browser: PasskeyBrowser,
) -> None:
    await browser.sign_up()
    assert (await browser.add_passkey()).status_code == 303
    account = (await browser.client.get("/account")).text
    assert (
        "script-src 'self'"
        in (await browser.client.get("/account")).headers["content-security-policy"]
    )
    kind, hidden, options = browser.form(account, "/account/email")
    assert (kind, set(hidden)) == ("get", {"csrf_token", "challenge_id", "credential"})
    assert options is not None
    assert options["allowCredentials"]

    without = await browser.post_form(
        account,
        "/account/email",
        answer=False,
        email="new@example.com",
        current_password=PASSWORD,
    )
    assert without.status_code == 400
    assert "gave no passkey" in without.text
    changed = await browser.post_form(
        account, "/account/email", email="new@example.com", current_password=PASSWORD
    )
    assert changed.status_code == 303, changed.text
    assert changed.headers["location"] == "/account?notice=email-change-asked"


async def test_a_passkey_is_removed_on_the_account_page_with_the_password_and_itself(
    browser: PasskeyBrowser,
) -> None:
    await browser.sign_up()
    assert (await browser.add_passkey("Phone")).status_code == 303
    account = (await browser.client.get("/account")).text

    wrong = await browser.post_form(
        account, "/account/passkeys/remove", current_password="not-the-password"
    )
    assert wrong.status_code == 403
    assert "<details open>" in wrong.text
    account = (await browser.client.get("/account")).text
    removed = await browser.post_form(
        account, "/account/passkeys/remove", current_password=PASSWORD
    )

    assert removed.status_code == 303, removed.text
    assert removed.headers["location"] == "/account?notice=passkey-removed"
    page = await browser.client.get("/account")
    assert "You have no passkey yet." in page.text
    assert "script-src 'none'" in page.headers["content-security-policy"]
