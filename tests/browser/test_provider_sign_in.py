"""Sign-in through an OpenID Provider in Chromium, JavaScript off: the button on /login, the
provider's own sign-in and consent pages (ops/oidc/provider.mjs), and back to the account; an
address that has an account already is linked once its owner signs in with the password."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.person import Person, fill, sign_up
from tests.oidc_provider import ISSUER, fresh_login
from tests.system import System


def at_the_provider(page: Page, login: str) -> None:
    """Sign in and consent on the provider's development pages, as a person would."""
    expect(page).to_have_url(re.compile(rf"^{re.escape(ISSUER)}/interaction/"))
    page.get_by_placeholder("Enter any login").fill(login)
    page.get_by_placeholder("and password").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(ISSUER)}/interaction/"))
    page.get_by_role("button", name="Continue").click()


def test_a_first_sign_in_with_a_provider_opens_a_new_account(
    page: Page, system: System, screenshot
) -> None:
    login = fresh_login("b")
    page.goto("/login")
    screenshot(page, "pages-login-providers")
    page.get_by_role("link", name="Sign in with Local").click()

    at_the_provider(page, login)

    expect(page).to_have_url("/account")
    expect(page.locator(".profile")).to_contain_text(f"{login}@example.com")
    expect(page.locator(".badge-ok")).to_have_text("confirmed")
    expect(page.locator(".linked-providers")).to_contain_text("Local")
    screenshot(page, "pages-account-providers")


def test_an_address_with_an_account_is_linked_after_its_owner_signs_in(
    page: Page, system: System
) -> None:
    person = Person()
    sign_up(page, person)
    page.goto("/logout")
    page.get_by_role("button", name="Sign out").click()

    page.goto("/login")
    page.get_by_role("link", name="Sign in with Local").click()
    at_the_provider(page, person.name)

    expect(page).to_have_url("/login")
    expect(page.locator("#linking")).to_contain_text("sign in to it to link Local")
    fill(page, {"Username or email address": person.email, "Password": person.password})
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url("/account?notice=provider-linked")
    expect(page.locator(".linked-providers")).to_contain_text("Local")

    page.goto("/logout")
    page.get_by_role("button", name="Sign out").click()
    page.goto("/login")
    page.get_by_role("link", name="Sign in with Local").click()
    # The provider remembers who signed in there: it only asks to confirm, then the person is
    # in the linked account.
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url("/account")
    expect(page.locator(".profile")).to_contain_text(person.name)


def test_an_unverified_address_is_told_to_the_person(page: Page, system: System) -> None:
    page.goto("/login")
    page.get_by_role("link", name="Sign in with Local").click()

    at_the_provider(page, fresh_login("unverified"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Forbidden")
    expect(page.locator("main")).to_contain_text("Local has not confirmed your email address")
