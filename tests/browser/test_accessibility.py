"""Every page, in the states a person meets it in (empty, with errors, signed in with a pending
address), checked by axe-core in the browser against WCAG 2.1 A and AA and axe's best practices:
no serious or critical violation."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.browser.axe import describe, violations
from tests.browser.person import Person, fill, sign_up
from tests.system import System

SIGNED_OUT = (
    "/",
    "/signup",
    "/login",
    "/forgot-password",
    "/reset-password?token=a-mailed-token",
    "/verify-email?token=a-mailed-token",
    "/cancel-email-change?token=a-mailed-token",
    "/reset-password",
)


def test_no_page_has_a_serious_accessibility_violation(
    scripted_page: Page, system: System, axe_source: str
) -> None:
    page = scripted_page
    found: dict[str, list[dict[str, Any]]] = {}

    def check(where: str) -> None:
        found[where] = violations(page, axe_source)

    for path in SIGNED_OUT:
        page.goto(path)
        check(path)
    page.goto("/signup")
    page.get_by_role("button", name="Create the account").click()
    check("/signup with errors")
    page.goto("/login")
    fill(page, {"Username or email address": "nobody-here", "Password": "wrong-password"})
    page.get_by_role("button", name="Sign in").click()
    check("/login refused")

    person = Person()
    sign_up(page, person)
    check("/account, just signed up")
    fill(page, {"New email address": person.other_email()})
    page.get_by_role("button", name="Change the email address").click()
    check("/account, email form with errors")
    page.locator("#email-current-password").fill(person.password)
    page.get_by_role("button", name="Change the email address").click()
    check("/account, pending address")
    page.goto("/account/two-step")
    check("/account/two-step")
    page.locator("#start-current-password").fill(person.password)
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    check("/account/two-step, the QR code")
    page.goto("/logout")
    check("/logout")

    found = {where: violations for where, violations in found.items() if violations}
    assert not found, describe(found)
