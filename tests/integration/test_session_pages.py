"""The account page's sessions: the browser's own sign-in is one of them ("this device"), beside
those of API clients; its forms end one session or every other one, CSRF-protected like every
form, and what they end is refused at once."""

from __future__ import annotations

import re

import httpx
import psycopg

from tests.integration.api_client import Api
from tests.integration.test_pages import PASSWORD, Browser


def _session_ids(html: str) -> list[str]:
    return re.findall(r'name="session_id" value="([^"]+)"', html)


async def _api_session(api: Api) -> dict[str, str]:
    response = await api.client.post(
        "/api/v1/token/access",
        json={"username": "alice", "password": PASSWORD},
        headers={"User-Agent": "curl/8.5.0"},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_account_page_lists_the_browsers_session_and_the_others(
    client: httpx.AsyncClient, api: Api
) -> None:
    browser = Browser(client)
    await browser.sign_up()
    await _api_session(api)

    page = (await browser.client.get("/account")).text

    assert len(_session_ids(page)) == 2
    assert page.count('badge-current">this device<') == 1
    assert "curl" in page
    assert "127.0.0.1" in page
    assert 'action="/account/sessions/end-others"' in page


async def test_ending_another_session_from_the_page_refuses_its_tokens(
    client: httpx.AsyncClient, api: Api
) -> None:
    browser = Browser(client)
    await browser.sign_up()
    other = await _api_session(api)
    page = (await browser.client.get("/account")).text
    row = page[page.index("curl") :]
    (other_id,) = _session_ids(row)[:1]

    ended = await browser.submit("/account/sessions/end", "/account", session_id=other_id)

    assert ended.status_code == 303, ended.text
    assert ended.headers["location"] == "/account?notice=session-ended#sessions"
    headers = {"Authorization": f"Bearer {other['access_token']}"}
    assert (await api.client.get("/api/v1/users", headers=headers)).status_code == 401
    refreshed = await api.client.post(
        "/api/v1/token/refresh", json={"refresh_token": other["refresh_token"]}
    )
    assert refreshed.status_code == 401
    after = (await browser.client.get("/account?notice=session-ended")).text
    assert len(_session_ids(after)) == 1
    assert "That session is ended" in after


async def test_signing_out_everywhere_else_keeps_the_browser_signed_in(
    client: httpx.AsyncClient, api: Api
) -> None:
    browser = Browser(client)
    await browser.sign_up()
    others = [await _api_session(api) for _ in range(2)]

    response = await browser.submit("/account/sessions/end-others", "/account")

    assert response.headers["location"] == "/account?notice=other-sessions-ended#sessions"
    for other in others:
        headers = {"Authorization": f"Bearer {other['access_token']}"}
        assert (await api.client.get("/api/v1/users", headers=headers)).status_code == 401
    page = (await browser.client.get("/account")).text
    assert len(_session_ids(page)) == 1
    assert "this device" in page


async def test_ending_the_browsers_own_session_signs_it_out(
    client: httpx.AsyncClient, db: psycopg.AsyncConnection
) -> None:
    browser = Browser(client)
    await browser.sign_up()
    (own,) = _session_ids((await browser.client.get("/account")).text)

    response = await browser.submit("/account/sessions/end", "/account", session_id=own)

    assert response.headers["location"] == "/?notice=signed-out"
    assert "session" not in browser.client.cookies
    assert (await browser.client.get("/account")).headers["location"].startswith("/login")
    cursor = await db.execute("SELECT details FROM audit_events WHERE type = 'session.ended'")
    assert [d["ended_by"] for (d,) in await cursor.fetchall()] == ["self"]


async def test_a_session_form_without_its_csrf_token_ends_nothing(
    client: httpx.AsyncClient, api: Api
) -> None:
    browser = Browser(client)
    await browser.sign_up()
    other = await _api_session(api)
    ids = _session_ids((await browser.client.get("/account")).text)

    for action, fields in (
        ("/account/sessions/end", {"session_id": ids[0]}),
        ("/account/sessions/end-others", {"csrf_token": "made-up"}),
    ):
        forged = await browser.client.post(action, data=fields)
        assert forged.status_code == 403
    headers = {"Authorization": f"Bearer {other['access_token']}"}
    assert (await api.client.get("/api/v1/users", headers=headers)).status_code == 200


async def test_a_session_that_is_not_the_accounts_is_gone_already(
    client: httpx.AsyncClient,
) -> None:
    browser = Browser(client)
    await browser.sign_up()

    for session_id in ("not-an-id", "00000000-0000-0000-0000-000000000000"):
        response = await browser.submit("/account/sessions/end", "/account", session_id=session_id)
        assert response.headers["location"] == "/account?notice=session-gone#sessions"
    assert (
        "That session had ended already."
        in (await browser.client.get("/account?notice=session-gone")).text
    )
