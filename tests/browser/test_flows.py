"""The flows a person goes through, in a browser with JavaScript off: sign up and confirm from
the mail (with the keyboard only), reset a forgotten password, change the email address and take
it back, and the errors that wrong input shows."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.person import Person, fill, follow_link, open_mail, sign_in, sign_up, tab_to
from tests.system import System

CONFIRM = "Confirm your email address"


def test_sign_up_then_confirm_the_address_from_the_mail_with_the_keyboard_only(
    page: Page, system: System, screenshot
) -> None:
    person = Person()
    page.goto("/")
    screenshot(page, "pages-home")
    tab_to(page, page.get_by_role("link", name="Create an account"))
    page.keyboard.press("Enter")
    expect(page).to_have_url("/signup")
    tab_to(page, page.get_by_label("Username"))
    page.keyboard.type(person.name)
    page.keyboard.press("Tab")
    page.keyboard.type(person.email)
    page.keyboard.press("Tab")
    page.keyboard.type(person.password)
    screenshot(page, "pages-signup")
    page.keyboard.press("Enter")

    expect(page).to_have_url("/account?notice=signed-up")
    expect(page.locator(".badge-warn")).to_have_text("not confirmed yet")

    open_mail(page, system, person.email, CONFIRM)
    tab_to(page, page.locator("a[href*='/verify-email?token=']"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/verify-email\?token="))
    expect(page.get_by_role("heading", level=1)).to_have_text(CONFIRM)
    screenshot(page, "pages-verify-email")
    tab_to(page, page.get_by_role("button", name="Confirm my email address"))
    page.keyboard.press("Enter")

    expect(page).to_have_url("/account?notice=email-confirmed")
    expect(page.get_by_role("status")).to_have_text("Your email address is confirmed.")
    expect(page.locator(".badge-ok")).to_have_text("confirmed")
    screenshot(page, "pages-account")


def test_a_forgotten_password_is_reset_from_the_mail_and_the_new_one_signs_in(
    page: Page, system: System
) -> None:
    person = Person()
    sign_up(page, person)
    page.goto("/logout")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")

    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    fill(page, {"Email address": person.email})
    page.get_by_role("button", name="Mail me a link").click()
    expect(page.get_by_role("status")).to_contain_text("we mailed it a link")
    follow_link(page, system, person.email, "Reset your password", "reset-password")
    fill(page, {"New password": "second-pass-phrase"})
    page.get_by_role("button", name="Set the new password").click()

    expect(page).to_have_url("/login?notice=password-reset")
    fill(page, {"Username or email address": person.email, "Password": person.password})
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Invalid username or password.")
    sign_in(page, person.email, "second-pass-phrase")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")


def _ask_for_new_address(page: Page, person: Person) -> None:
    page.goto("/account")
    fill(page, {"New email address": person.other_email()})
    page.locator("#email-current-password").fill(person.password)
    page.get_by_role("button", name="Change the email address").click()
    expect(page).to_have_url("/account?notice=email-change-asked")


def test_a_new_address_is_confirmed_from_itself_and_taken_back_from_the_old_one(
    page: Page, system: System, screenshot
) -> None:
    person = Person()
    sign_up(page, person)
    _ask_for_new_address(page, person)
    pending = page.locator("#pending-email")
    expect(pending).to_contain_text(person.other_email())
    expect(pending).to_contain_text(f"{person.email} stays the address")
    screenshot(page, "pages-account-pending-email")

    follow_link(page, system, person.other_email(), CONFIRM, "verify-email")
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page).to_have_url("/account?notice=email-confirmed")
    expect(page.locator(".profile")).to_contain_text(person.other_email())

    subject = "Your account no longer uses this address"
    follow_link(page, system, person.email, subject, "cancel-email-change")
    page.get_by_role("button", name="Cancel the change and sign out everywhere").click()
    expect(page).to_have_url("/login?notice=email-change-cancelled")
    # Whoever changed the address may know the password: it works no more, and the old
    # address gets a reset link.
    follow_link(page, system, person.email, "Reset your password", "reset-password")
    fill(page, {"New password": "taken-back-phrase"})
    page.get_by_role("button", name="Set the new password").click()
    sign_in(page, person.name, "taken-back-phrase")
    expect(page.locator(".profile")).to_contain_text(person.email)
    expect(page.locator(".profile")).not_to_contain_text(person.other_email())


def test_a_pending_change_is_cancelled_from_the_old_address(page: Page, system: System) -> None:
    person = Person()
    sign_up(page, person)
    _ask_for_new_address(page, person)

    subject = "Someone asked to change your account's address"
    follow_link(page, system, person.email, subject, "cancel-email-change")
    page.get_by_role("button", name="Cancel the change and sign out everywhere").click()

    expect(page).to_have_url("/login?notice=email-change-cancelled")
    page.goto("/account")
    # Every session ended, this one too.
    expect(page).to_have_url("/login?notice=sign-in-first")
    sign_in(page, person.name, person.password)
    expect(page.locator("#pending-email")).to_have_count(0)


def test_wrong_inputs_show_their_errors_beside_their_fields(
    page: Page, system: System, screenshot
) -> None:
    taken = Person()
    sign_up(page, taken)
    page.goto("/logout")
    page.get_by_role("button", name="Sign out").click()

    page.goto("/signup")
    fill(page, {"Username": taken.name, "Email address": "not an address", "Password": "short"})
    page.get_by_role("button", name="Create the account").click()

    email = page.get_by_label("Email address")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_value("not an address")
    expect(page.locator("#signup-email-error")).to_contain_text("Not a valid email address.")
    expect(page.locator("#signup-password-error")).to_contain_text("Must be 8-128 characters long.")
    expect(page.get_by_label("Password")).to_have_value("")
    expect(email).to_be_focused()
    screenshot(page, "pages-signup-errors")

    fill(page, {"Email address": Person().email, "Password": "long-enough-pass"})
    page.get_by_role("button", name="Create the account").click()
    expect(page.locator("#signup-username-error")).to_contain_text("already registered")
    expect(page.get_by_label("Username")).to_have_value(taken.name)

    page.goto("/login")
    fill(page, {"Username or email address": taken.name, "Password": "not-the-password"})
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Invalid username or password.")
    expect(page.get_by_label("Username or email address")).to_have_value(taken.name)


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    scripted_page: Page, system: System
) -> None:
    page = scripted_page
    person = Person()
    sign_up(page, person)
    page.goto("/account")
    page.locator("form[action='/account/username'] input[name=csrf_token]").evaluate(
        "input => input.remove()"
    )
    fill(page, {"New username": f"{person.name}x"})
    page.get_by_role("button", name="Change the username").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Forbidden")
    expect(page.locator("main")).to_contain_text("This form could not be accepted")
    page.goto("/account")
    expect(page.locator(".profile dd").first).to_have_text(person.name)
