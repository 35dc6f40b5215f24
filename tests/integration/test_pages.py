"""The pages through the app factory, against the real services: what a browser is sent (headers,
cookies, the errors beside each field) and what the server does with its forms (CSRF, sessions
that are refresh-token families). The flows in a real browser are in tests/browser/."""

from __future__ import annotations

import hashlib
import re

import httpx
import psycopg
import pytest

from adapters.settings import Settings
from core.domain import RateLimit
from tests.integration.api_client import Api, api_with
from tests.integration.tokens_mailed import MailedTokens

PASSWORD = "s3cret-pass"
TOKEN_PAGES = ("/reset-password", "/verify-email", "/cancel-email-change")
PAGES = ("/", "/signup", "/login", "/logout", "/forgot-password", *TOKEN_PAGES)
PASSKEY_PAGES = ("/login",)
"""Pages with a passkey's form: their one script asks the browser for the passkey."""


class Browser:
    """Pages as a browser uses them: it keeps its cookies and posts the forms it was sent."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def csrf(self, page: str = "/login") -> str:
        html = (await self.client.get(page)).text
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert match, f"no CSRF token on {page}"
        return match[1]

    async def submit(self, action: str, page: str | None = None, **fields: str) -> httpx.Response:
        """Open `page` (the form's own page by default) and post its form to `action`."""
        token = await self.csrf(page or action)
        return await self.client.post(action, data={"csrf_token": token, **fields})

    async def sign_up(self, name: str = "alice") -> httpx.Response:
        fields = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
        response = await self.submit("/signup", **fields)
        assert response.status_code == 303, response.text
        return response

    def session(self) -> str:
        return self.client.cookies["session"]


@pytest.fixture
async def browser(client: httpx.AsyncClient) -> Browser:
    return Browser(client)


async def _session_rows(db: psycopg.AsyncConnection, secret: str) -> list[tuple]:
    digest = hashlib.sha256(secret.encode()).hexdigest()
    cursor = await db.execute(
        "SELECT family_id, revoked_at FROM refresh_tokens WHERE token_hash = %s", (digest,)
    )
    return await cursor.fetchall()


async def test_pages_are_html_with_a_strict_policy_and_no_referrer(browser: Browser) -> None:
    for path in PAGES:
        response = await browser.client.get(f"{path}?token=abc" if path in TOKEN_PAGES else path)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
        scripts = re.findall(r"<script[^>]*>", response.text)
        if path in PASSKEY_PAGES:
            # The one script, from this service's own files, for the passkey's form only.
            assert scripts == ['<script src="/static/passkeys.js" defer>'], path
            assert "script-src 'self';" in policy
            assert not re.search(r"<[^>]*\son\w+=", response.text), "no inline handler"
        else:
            assert not scripts, f"{path} needs no JavaScript"
            assert "script-src 'none';" in policy


async def test_the_passkey_script_is_served_as_javascript(browser: Browser) -> None:
    script = await browser.client.get("/static/passkeys.js")

    assert script.status_code == 200
    assert script.headers["content-type"].split(";")[0] in (
        "text/javascript",
        "application/javascript",
    )
    assert script.headers["x-content-type-options"] == "nosniff"
    assert "navigator.credentials.get(" in script.text
    assert "fetch(" not in script.text, "it sends nothing itself: the forms do"


async def test_sign_up_starts_a_session_that_is_a_refresh_token_family(
    browser: Browser, db: psycopg.AsyncConnection
) -> None:
    response = await browser.sign_up()

    assert response.headers["location"] == "/account?notice=signed-up"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie, "PUBLIC_BASE_URL is plain HTTP on this machine"
    ((_, revoked),) = await _session_rows(db, browser.session())
    assert revoked is None
    account = await browser.client.get("/account")
    assert account.status_code == 200
    assert "alice@example.com" in account.text
    assert "not confirmed yet" in account.text
    assert browser.session() not in account.text, "the session token never reaches the page"


async def test_signing_out_revokes_the_sessions_family(
    browser: Browser, db: psycopg.AsyncConnection
) -> None:
    await browser.sign_up()
    secret = browser.session()

    response = await browser.submit("/logout")

    assert response.status_code == 303
    ((_, revoked),) = await _session_rows(db, secret)
    assert revoked is not None
    assert "session" not in browser.client.cookies
    browser.client.cookies.set("session", secret)  # a copy of the cookie opens nothing either
    assert (await browser.client.get("/account")).headers["location"].startswith("/login")


async def test_a_password_changed_through_the_api_ends_the_browser_session(
    browser: Browser, api: Api
) -> None:
    await browser.sign_up()
    headers = {"Authorization": f"Bearer {await api.token()}"}

    changed = await api.client.patch(
        "/api/v1/users",
        json={"password": "new-s3cret-pass", "current_password": PASSWORD},
        headers=headers,
    )

    assert changed.status_code == 200
    assert (await browser.client.get("/account")).status_code == 303


async def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    browser: Browser, client: httpx.AsyncClient, db: psycopg.AsyncConnection
) -> None:
    fields = {"username": "mallory", "email": "mallory@example.com", "password": PASSWORD}
    await browser.csrf("/signup")  # the browser has its id cookie

    missing = await client.post("/signup", data=fields)
    forged = await client.post("/signup", data={**fields, "csrf_token": "x" * 43})
    cross_site = await client.post(
        "/signup",
        data={**fields, "csrf_token": await browser.csrf("/signup")},
        headers={"Sec-Fetch-Site": "cross-site"},
    )

    for response in (missing, forged, cross_site):
        assert response.status_code == 403
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert "could not be accepted" in response.text
    cursor = await db.execute("SELECT count(*) FROM users")
    assert (await cursor.fetchone())[0] == 0


async def test_a_token_from_another_browser_does_not_pass(
    app, browser: Browser, db: psycopg.AsyncConnection
) -> None:
    await browser.sign_up()
    transport = httpx.ASGITransport(app=app, client=("127.0.0.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        stolen = await Browser(other).csrf("/login")  # the attacker's own, valid for them

    response = await browser.client.post(
        "/account/username", data={"csrf_token": stolen, "username": "mallory"}
    )

    assert response.status_code == 403
    cursor = await db.execute("SELECT username FROM users")
    assert (await cursor.fetchone())[0] == "alice"


async def test_wrong_inputs_show_their_errors_beside_the_fields_and_keep_the_input(
    browser: Browser,
) -> None:
    response = await browser.submit(
        "/signup", username="a!", email="not-an-address", password="short"
    )

    assert response.status_code == 422
    html = response.text
    for field in ("username", "email", "password"):
        assert re.search(rf'<p class="field-error" id="signup-{field}-error">', html), (
            f"no error beside {field}"
        )
        described = re.search(rf'id="signup-{field}"[^>]*aria-describedby="([^"]+)"', html)
        assert described
        assert f"signup-{field}-error" in described[1].split()
    assert 'value="a!"' in html
    assert 'value="not-an-address"' in html
    assert "short" not in html, "a password is never sent back"


async def test_a_taken_username_and_a_wrong_password_are_said_on_the_form(
    browser: Browser, client: httpx.AsyncClient
) -> None:
    await browser.sign_up()
    client.cookies.delete("session")

    taken = await browser.submit(
        "/signup", username="alice", email="other@example.com", password=PASSWORD
    )
    wrong = await browser.submit("/login", username="alice", password="wrong-password")

    assert taken.status_code == 409
    assert "This username is already registered." in taken.text
    assert wrong.status_code == 401
    assert "Invalid username or password." in wrong.text
    assert 'value="alice"' in wrong.text


async def test_a_locked_sign_in_says_how_long_to_wait(
    browser: Browser, client: httpx.AsyncClient
) -> None:
    await browser.sign_up()
    client.cookies.delete("session")

    answers = [
        await browser.submit("/login", username="alice", password=f"guess-{n}") for n in range(6)
    ]

    assert [a.status_code for a in answers] == [401] * 5 + [429]
    assert "Try again in 15 minutes." in answers[-1].text


async def test_the_pages_have_a_rate_limit_of_their_own(settings: Settings) -> None:
    limits = {**settings.rate_limits, "pages_per_ip": RateLimit(2, 60)}
    async with api_with(settings, rate_limits=limits) as api:
        answers = [await api.client.get("/login") for _ in range(3)]
        api_call = await api.client.get("/api/v1/users")

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "Try again in 1 minute." in answers[-1].text
    assert answers[-1].headers["retry-after"]
    assert api_call.status_code == 401, "the API's own budget is untouched"


async def test_opening_a_mailed_link_changes_nothing_until_its_button_is_pressed(
    browser: Browser, mailed: MailedTokens, db: psycopg.AsyncConnection
) -> None:
    await browser.sign_up()
    token = await mailed.verification()
    page = f"/verify-email?token={token}"

    opened = await browser.client.get(page)

    assert opened.status_code == 200
    cursor = await db.execute("SELECT email_verified FROM users")
    assert (await cursor.fetchone())[0] is False
    confirmed = await browser.submit("/verify-email", page=page, token=token)
    assert confirmed.headers["location"] == "/account?notice=email-confirmed"
    cursor = await db.execute("SELECT email_verified FROM users")
    assert (await cursor.fetchone())[0] is True
    again = await browser.submit("/verify-email", page=page, token=token)
    assert again.status_code == 400
    assert "invalid, expired or already used" in again.text


async def test_changing_the_email_asks_for_the_password_and_shows_the_pending_address(
    browser: Browser,
) -> None:
    await browser.sign_up()

    without = await browser.submit("/account/email", page="/account", email="new@example.com")
    wrong = await browser.submit(
        "/account/email", page="/account", email="new@example.com", current_password="nope-nope"
    )
    asked = await browser.submit(
        "/account/email", page="/account", email="new@example.com", current_password=PASSWORD
    )

    assert without.status_code == 422
    assert 'id="email-current-password-error"' in without.text
    assert wrong.status_code == 403
    assert "The current password is wrong." in wrong.text
    assert asked.headers["location"] == "/account?notice=email-change-asked"
    account = (await browser.client.get(asked.headers["location"])).text
    assert "new@example.com" in account
    assert "stays the address you" in account


async def test_the_account_forms_change_the_username_and_mail_the_confirmation_again(
    browser: Browser, db: psycopg.AsyncConnection
) -> None:
    await browser.sign_up()

    renamed = await browser.submit("/account/username", page="/account", username="alicia")
    invalid = await browser.submit("/account/username", page="/account", username="a")
    resent = await browser.submit("/account/confirmation", page="/account")

    assert renamed.headers["location"] == "/account?notice=username-changed"
    assert invalid.status_code == 422
    assert 'id="username-username-error"' in invalid.text
    assert resent.headers["location"] == "/account?notice=confirmation-sent"
    cursor = await db.execute("SELECT username FROM users")
    assert (await cursor.fetchone())[0] == "alicia"


async def test_a_new_password_ends_the_session_it_was_changed_from(
    browser: Browser, db: psycopg.AsyncConnection
) -> None:
    await browser.sign_up()
    secret = browser.session()

    changed = await browser.submit(
        "/account/password", page="/account", current_password=PASSWORD, password="new-s3cret"
    )

    assert changed.headers["location"] == "/login?notice=password-changed"
    ((_, revoked),) = await _session_rows(db, secret)
    assert revoked is not None
    assert (await browser.client.get("/account")).status_code == 303
    signed_in = await browser.submit("/login", username="alice", password="new-s3cret")
    assert signed_in.headers["location"] == "/account"


async def test_deleting_the_account_takes_the_password_and_ends_the_session(
    browser: Browser, db: psycopg.AsyncConnection
) -> None:
    await browser.sign_up()

    wrong = await browser.submit("/account/delete", page="/account", password="not-it-at-all")
    deleted = await browser.submit("/account/delete", page="/account", password=PASSWORD)

    assert wrong.status_code == 403
    assert 'id="delete-password-error"' in wrong.text
    assert deleted.headers["location"] == "/?notice=account-deleted"
    cursor = await db.execute("SELECT count(*) FROM users")
    assert (await cursor.fetchone())[0] == 0
    assert "session" not in browser.client.cookies


async def test_signing_in_again_signs_out_the_session_the_browser_had(
    browser: Browser, db: psycopg.AsyncConnection
) -> None:
    await browser.sign_up()
    first = browser.session()

    # Any form of the browser's has its token: /login itself sends a signed-in browser on.
    await browser.submit("/login", page="/logout", username="alice", password=PASSWORD)

    assert browser.session() != first
    ((_, revoked),) = await _session_rows(db, first)
    assert revoked is not None


async def test_outside_local_development_the_cookies_are_secure_and_host_only(
    settings: Settings,
) -> None:
    async with api_with(settings, session_cookie_secure=True) as api:
        page = await api.client.get("/signup")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        # Not sent back over plain HTTP by the client's jar: handed over as a browser would.
        api.client.cookies.set("__Host-browser", page.cookies["__Host-browser"])
        signed_up = await api.client.post(
            "/signup",
            data={
                "csrf_token": token,
                "username": "alice",
                "email": "alice@example.com",
                "password": PASSWORD,
            },
        )

    for response, name in ((page, "__Host-browser"), (signed_up, "__Host-session")):
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"{name}=")
        for attribute in ("HttpOnly", "Secure", "Path=/", "SameSite=Lax"):
            assert attribute in cookie
        assert "Domain" not in cookie
