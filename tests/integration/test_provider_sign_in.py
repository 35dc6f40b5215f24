"""Sign-in through a real OpenID Provider (ops/oidc/provider.mjs) on the pages: the first
sign-in makes an account, the next ones open it, an address already taken waits for its owner
to sign in, and the account page links and unlinks providers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import psycopg
import pytest

from adapters.settings import Settings
from tests.integration.api_client import Api
from tests.integration.provider_browser import ProviderBrowser, provider_app
from tests.oidc_provider import ISSUER, fresh_login, sign_in_at_provider

PASSWORD = "s3cret-pass"


@pytest.fixture
async def app_api(settings: Settings, migrated: str) -> AsyncIterator[Api]:
    async with provider_app(settings) as api:
        yield api


@pytest.fixture
def browser(app_api: Api) -> ProviderBrowser:
    return ProviderBrowser(app_api.client)


async def _one(db: psycopg.AsyncConnection, query: str, *args: object) -> tuple:
    cursor = await db.execute(query, args)
    row = await cursor.fetchone()
    assert row is not None, query
    return row


async def test_the_login_page_has_a_button_per_provider(browser: ProviderBrowser) -> None:
    page = (await browser.client.get("/login")).text
    assert 'href="/login/local"' in page
    assert "Sign in with Local" in page


async def test_a_first_sign_in_makes_a_confirmed_account_without_a_password(
    browser: ProviderBrowser, db: psycopg.AsyncConnection
) -> None:
    login = fresh_login()

    to_provider = await browser.start()
    assert to_provider.startswith(f"{ISSUER}/auth?")
    assert "code_challenge_method=S256" in to_provider
    assert "nonce=" in to_provider
    back = await browser.come_back(await sign_in_at_provider(to_provider, login))

    assert back.status_code == 303, back.text
    assert back.headers["location"] == "/account"
    account = await browser.client.get("/account")
    assert f"{login}@example.com" in account.text
    assert "confirmed" in account.text
    assert "Unlink Local" in account.text
    username, password_hash, verified = await _one(
        db, "SELECT username, password_hash, email_verified FROM users"
    )
    assert (username, password_hash, verified) == (login, "!unusable", True)
    assert await _one(db, "SELECT issuer, subject, provider FROM linked_identities") == (
        ISSUER,
        login,
        "local",
    )
    amr, provider = await _one(db, "SELECT amr, provider FROM refresh_tokens")
    assert (amr, provider) == (["ext"], "local")


async def test_the_next_sign_in_opens_the_same_account(
    browser: ProviderBrowser, db: psycopg.AsyncConnection
) -> None:
    login = fresh_login()
    await browser.sign_in_with_provider(login)
    browser.client.cookies.delete("session")

    again = await browser.sign_in_with_provider(login)

    assert again.headers["location"] == "/account"
    assert await _one(db, "SELECT count(*) FROM users") == (1,)
    (last_used,) = await _one(db, "SELECT last_used_at FROM linked_identities")
    assert last_used is not None


async def test_a_username_taken_already_gets_a_number(
    browser: ProviderBrowser, db: psycopg.AsyncConnection
) -> None:
    login = fresh_login()
    await browser.sign_up(login, "someone@example.com", PASSWORD)

    await browser.sign_in_with_provider(login)

    names = await (await db.execute("SELECT username FROM users ORDER BY created_at")).fetchall()
    assert [name for (name,) in names] == [login, f"{login}2"]


async def test_an_address_with_an_account_is_linked_only_once_its_owner_signs_in(
    browser: ProviderBrowser, db: psycopg.AsyncConnection
) -> None:
    login = fresh_login()
    await browser.sign_up("owner", f"{login}@example.com", PASSWORD)

    back = await browser.sign_in_with_provider(login)

    assert back.headers["location"] == "/login"
    assert await _one(db, "SELECT count(*) FROM linked_identities") == (0,)
    assert "session" not in browser.client.cookies, "no account is opened by its address"
    page = (await browser.client.get("/login")).text
    assert "An account with this email address exists: sign in to it\nto link Local." in page

    signed_in = await browser.submit("/login", "/login", username="owner", password=PASSWORD)

    assert signed_in.headers["location"] == "/account?notice=provider-linked"
    assert await _one(
        db, "SELECT u.username FROM linked_identities JOIN users u ON u.id = user_id"
    ) == ("owner",)
    browser.client.cookies.delete("session")
    again = await browser.sign_in_with_provider(login)
    assert again.headers["location"] == "/account"


async def test_signing_in_to_another_account_links_nothing(
    browser: ProviderBrowser, db: psycopg.AsyncConnection
) -> None:
    login = fresh_login()
    await browser.sign_up("owner", f"{login}@example.com", PASSWORD)
    await browser.sign_up("other", "other@example.com", PASSWORD)
    await browser.sign_in_with_provider(login)

    signed_in = await browser.submit("/login", "/login", username="other", password=PASSWORD)

    assert signed_in.headers["location"] == "/account?notice=provider-not-linked"
    assert await _one(db, "SELECT count(*) FROM linked_identities") == (0,)


async def test_the_account_page_links_a_provider_with_the_password_and_unlinks_it(
    browser: ProviderBrowser, db: psycopg.AsyncConnection
) -> None:
    await browser.sign_up("alice", "alice@example.com", PASSWORD)
    await browser.submit("/login", "/login", username="alice", password=PASSWORD)
    login = fresh_login()

    to_provider = await browser.start(page="/account")
    back = await browser.come_back(await sign_in_at_provider(to_provider, login))
    assert back.headers["location"] == "/account/link"
    confirm = await browser.client.get("/account/link")
    assert f"{login}@example.com" in confirm.text
    wrong = await browser.submit("/account/link", "/account/link", password="wrong-pass")
    assert wrong.status_code == 403
    assert "The password is wrong." in wrong.text
    linked = await browser.submit("/account/link", "/account/link", password=PASSWORD)
    assert linked.headers["location"] == "/account?notice=provider-linked"
    (identity_id,) = await _one(db, "SELECT id FROM linked_identities")

    page = f"/account/unlink?identity={identity_id}"
    unlinked = await browser.submit(
        "/account/unlink", page, identity=str(identity_id), password=PASSWORD
    )

    assert unlinked.headers["location"] == "/account?notice=provider-unlinked"
    assert await _one(db, "SELECT count(*) FROM linked_identities") == (0,)


async def test_the_last_way_to_sign_in_cannot_be_unlinked(
    browser: ProviderBrowser, db: psycopg.AsyncConnection
) -> None:
    await browser.sign_in_with_provider(fresh_login())
    (identity_id,) = await _one(db, "SELECT id FROM linked_identities")

    page = f"/account/unlink?identity={identity_id}"
    refused = await browser.submit("/account/unlink", page, identity=str(identity_id), password="x")

    assert refused.status_code == 403
    assert "This is the only way to sign in to the account" in refused.text
    assert await _one(db, "SELECT count(*) FROM linked_identities") == (1,)
