"""Email addresses through the API: one account per address however its domain is spelt, and
no addresses at IP literals or bare hosts."""

from __future__ import annotations

import pytest

from tests.integration.api_client import Api, assert_problem, field_error
from tests.integration.tokens_mailed import MailedTokens


async def test_the_unicode_and_punycode_spellings_of_a_domain_are_one_account(api: Api) -> None:
    created = await api.register(username="reader", email="user@bücher.example")
    assert created.status_code == 201, created.text
    assert created.json()["email"] == "user@xn--bcher-kva.example"

    again = await api.register(username="copycat", email="user@xn--bcher-kva.example")
    assert "email" in str(assert_problem(again, 409)["detail"])
    upper = await api.register(username="copycat", email="USER@BÜCHER.example")
    assert_problem(upper, 409)

    assert (await api.login("user@bücher.example")).status_code == 200
    assert (await api.login("user@xn--bcher-kva.example")).status_code == 200
    assert (await api.login("User@Bücher.Example")).status_code == 200


async def test_composed_and_decomposed_spellings_of_an_address_are_one_account(api: Api) -> None:
    composed = "jos\u00e9@example.com"
    decomposed = "jose\u0301@example.com"
    assert (await api.register(username="jose", email=composed)).status_code == 201
    # The schema's address syntax refuses a combining mark (422) before the 409 could.
    second = await api.register(username="other", email=decomposed)
    assert second.status_code in (409, 422), second.text
    assert (await api.login(decomposed)).status_code == 200
    assert (await api.login(composed.upper())).status_code == 200


async def test_a_new_address_in_another_spelling_is_taken_too(api: Api) -> None:
    await api.signed_up(username="reader", email="user@bücher.example")
    auth = await api.signed_up(username="other", email="other@example.com")
    assert_problem(await api.change_email(auth, "user@xn--bcher-kva.example"), 409)


async def test_a_reset_can_be_asked_for_in_either_spelling(
    api: Api, db, mailed: MailedTokens
) -> None:
    await api.register(username="reader", email="user@xn--bcher-kva.example")
    answer = await api.client.post("/api/v1/password/forgot", json={"email": "user@bücher.example"})
    assert answer.status_code == 202
    assert await mailed.reset("user@xn--bcher-kva.example")


@pytest.mark.parametrize(
    ("email", "why"),
    [
        ("a@[127.0.0.1]", "IP address"),
        ("a@localhost", "single-label host"),
        ("a@xn--zz.example", "not a valid internationalised domain"),
    ],
)
async def test_addresses_at_ip_literals_bare_hosts_or_broken_domains_are_422(
    api: Api, db, email: str, why: str
) -> None:
    assert why in field_error(await api.register(email=email), "email")
    assert (await (await db.execute("SELECT count(*) FROM users")).fetchone())[0] == 0


async def test_a_dotted_ip_address_is_no_domain_either(api: Api) -> None:
    # Refused before this rule too (by the schema's address syntax); kept refused.
    assert field_error(await api.register(email="a@127.0.0.1"), "email")


async def test_an_address_at_a_bare_host_cannot_be_moved_to(api: Api) -> None:
    auth = await api.signed_up()
    for email in ("alice@localhost", "alice@[10.0.0.1]"):
        moved = await api.change_email(auth, email)
        assert field_error(moved, "email")
    profile = await api.client.get("/api/v1/users", headers=auth)
    assert profile.json()["email"] == "alice@example.com"
