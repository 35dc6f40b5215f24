"""What a person does in the browser: fill a form by its labels, open a mail in MailDev and
follow its link, move with the Tab key."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from playwright.sync_api import Locator, Page, expect

from tests.system import System


@dataclass
class Person:
    """Someone with a fresh name and address: MailDev is shared, so no two runs meet."""

    name: str = field(default_factory=lambda: f"b{uuid.uuid4().hex[:10]}")
    password: str = "first-pass-phrase"

    @property
    def email(self) -> str:
        return f"{self.name}@example.com"

    def other_email(self) -> str:
        return f"{self.name}.new@example.com"


def fill(page: Page, fields: dict[str, str]) -> None:
    """Type into the fields a person finds by their labels."""
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)


def sign_up(page: Page, person: Person) -> None:
    page.goto("/signup")
    fill(
        page, {"Username": person.name, "Email address": person.email, "Password": person.password}
    )
    page.get_by_role("button", name="Create the account").click()
    expect(page).to_have_url("/account?notice=signed-up")


def sign_in(page: Page, login: str, password: str) -> None:
    page.goto("/login")
    fill(page, {"Username or email address": login, "Password": password})
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url("/account")


def open_mail(page: Page, system: System, to: str, subject: str) -> None:
    """Open the newest such mail in MailDev, as its recipient would read it."""
    mail = system.mail.wait_for(to, subject)[-1]
    page.goto(system.mail.html_view(mail))


def follow_link(page: Page, system: System, to: str, subject: str, link_page: str) -> None:
    """Open the mail and click its link to `link_page`."""
    open_mail(page, system, to, subject)
    page.locator(f"a[href*='/{link_page}?token=']").first.click()
    expect(page).to_have_url(re.compile(rf"/{link_page}\?token="))


def tab_to(page: Page, target: Locator, presses: int = 30) -> None:
    """Press Tab until `target` has the focus, as a keyboard user moves through a page."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} never got the focus in {presses} presses of Tab")
