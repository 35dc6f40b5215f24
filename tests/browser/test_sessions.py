"""Sessions in two browsers of one person, a laptop and a phone: the account page lists both, says
which one it is open in, and ends the other, which is signed out at its next page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import VIEWPORT
from tests.browser.person import Person, sign_in, sign_up
from tests.system import System

LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0"
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def devices(chromium: Browser, system: System) -> Iterator[Callable[[str], Page]]:
    """Tabs of browsers that say they run on other devices, JavaScript off."""
    contexts = []

    def open_on(user_agent: str) -> Page:
        context = chromium.new_context(
            base_url=system.base,
            java_script_enabled=False,
            viewport=VIEWPORT,
            user_agent=user_agent,
        )
        contexts.append(context)
        return context.new_page()

    yield open_on
    for context in contexts:
        context.close()


def _row(page: Page, device: str) -> Locator:
    return page.locator("table.sessions tbody tr").filter(has_text=device)


def test_the_account_page_ends_the_session_of_another_device(
    devices: Callable[[str], Page], screenshot: Callable[[Page, str], Path]
) -> None:
    person = Person()
    laptop, phone = devices(LAPTOP), devices(PHONE)
    sign_up(laptop, person)
    sign_in(phone, person.name, person.password)

    laptop.goto("/account")
    expect(laptop.locator("table.sessions tbody tr")).to_have_count(2)
    expect(_row(laptop, "Firefox on Windows")).to_contain_text("this device")
    expect(_row(laptop, "Safari on iPhone")).not_to_contain_text("this device")
    screenshot(laptop, "pages-account-sessions")
    laptop.get_by_role("button", name="End the session on Safari on iPhone from 127.0.0.1").click()

    expect(laptop.locator(".notice")).to_contain_text("That session is ended")
    expect(laptop.locator("table.sessions tbody tr")).to_have_count(1)
    phone.goto("/account")
    expect(phone).to_have_url("/login?notice=sign-in-first")

    sign_in(phone, person.name, person.password)
    laptop.goto("/account")
    laptop.get_by_role("button", name="Sign out everywhere else").click()
    expect(laptop.locator(".notice")).to_contain_text("Every other session is ended")
    expect(_row(laptop, "Firefox on Windows")).to_contain_text("this device")
    phone.goto("/account")
    expect(phone).to_have_url("/login?notice=sign-in-first")
