"""Passkeys in Chromium, with JavaScript on and Chromium's virtual authenticator: added on the
account page, then signing in alone, as the second step after the password, confirming the
start of two-step sign-in with an authenticator app, and confirming the passkey's own removal.
The page's script is what talks to the authenticator; the tests press the buttons a person
presses."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.axe import describe, violations
from tests.browser.person import Person, fill, sign_up


def _sign_out(page: Page) -> None:
    page.goto("/logout")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")


def test_a_passkey_added_on_the_account_page_signs_in_alone_and_after_the_password(
    passkey_page: Page, screenshot, axe_source: str
) -> None:
    page = passkey_page
    person = Person()
    found: dict[str, list[dict[str, Any]]] = {}

    def check(where: str) -> None:
        found[where] = violations(page, axe_source)

    sign_up(page, person)

    fill(page, {"Name of the new passkey": "This laptop"})
    page.locator("#passkey-add-current-password").fill(person.password)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a passkey")
    check("/account/passkeys, the button that makes the passkey")
    page.get_by_role("button", name="Create the passkey").click()
    expect(page).to_have_url("/account?notice=passkey-added")
    expect(page.locator(".passkeys")).to_contain_text("This laptop")
    screenshot(page, "pages-account-passkey")
    check("/account, with a passkey")

    _sign_out(page)
    page.goto("/login")
    page.get_by_role("button", name="Use a passkey").click()
    expect(page).to_have_url("/account")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")

    _sign_out(page)
    page.goto("/login")
    fill(page, {"Username or email address": person.name, "Password": person.password})
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in: the second step")
    check("/login/code, with a passkey")
    page.get_by_role("button", name="Use your passkey").click()
    expect(page).to_have_url("/account")

    # The passkey is the account's only second factor: it confirms turning the app on too.
    page.goto("/account/two-step")
    page.get_by_label("Your password").fill(person.password)
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="2. Enter the code the app shows")).to_be_visible()
    check("/account/two-step, a passkey-only account's enrolment")
    page.goto("/account")

    page.get_by_text("Remove “This laptop”").click()
    page.get_by_role("group").get_by_label("Your current password").fill(person.password)
    page.get_by_role("button", name="Remove this passkey").click()
    expect(page).to_have_url("/account?notice=passkey-removed")
    expect(page.get_by_text("You have no passkey yet.")).to_be_visible()
    found = {where: violations for where, violations in found.items() if violations}
    assert not found, describe(found)
