"""The password policy through the API: common passwords, passwords made of the user's own
names, length after normalisation, and hashes made before passwords were normalised."""

from __future__ import annotations

import pytest

from adapters.passwords import PROFILES
from tests.integration.api_client import Api, assert_problem, field_error
from tests.integration.tokens_mailed import MailedTokens

FORGOT = "/api/v1/password/forgot"
RESET = "/api/v1/password/reset"


async def _count(db, table: str) -> int:
    return int((await (await db.execute(f"SELECT count(*) FROM {table}")).fetchone())[0])


async def _stored_hash(db) -> str:
    return str((await (await db.execute("SELECT password_hash FROM users")).fetchone())[0])


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("password123", "most common passwords"),
        ("qwertyuiop", "most common passwords"),
        ("QwertyUIOP", "most common passwords"),
        ("Dragon2024!", "common password with digits or symbols"),
        ("!!trustno1!!", "common password with digits or symbols"),
    ],
)
async def test_a_common_password_is_refused_at_sign_up(
    api: Api, db, password: str, why: str
) -> None:
    response = await api.register(password=password)
    assert list(assert_problem(response, 422)["errors"]) == ["password"]
    assert why in field_error(response, "password")
    assert await _count(db, "users") == 0


async def test_a_common_password_is_refused_as_a_new_password(
    api: Api, db, mailed: MailedTokens
) -> None:
    auth = await api.signed_up()
    changed = await api.client.patch(
        "/api/v1/users",
        headers=auth,
        json={"password": "password123", "current_password": "s3cret-pass"},
    )
    assert "most common" in field_error(changed, "password")
    assert (await api.login()).status_code == 200

    await api.client.post(FORGOT, json={"email": "alice@example.com"})
    token = await mailed.reset()
    reset = await api.client.post(RESET, json={"token": token, "new_password": "qwertyuiop"})
    assert "most common" in field_error(reset, "new_password")
    assert (await api.login()).status_code == 200


@pytest.mark.parametrize(
    ("username", "email", "password"),
    [
        ("alice", "alice@example.com", "Alice-in-chains"),
        ("wonder_al", "bob@example.com", "my WONDER_AL key"),
        ("carol", "rabbit.hole@example.com", "down-the-rabbit.hole"),
        ("dave", "hatter+tea@example.com", "mad-hatter-party"),
        ("erin", "new@example.com", "new2024!!"),
    ],
)
async def test_a_password_made_of_the_users_own_names_is_refused(
    api: Api, db, username: str, email: str, password: str
) -> None:
    response = await api.register(username=username, email=email, password=password)
    assert "username or the part of the email address" in field_error(response, "password")
    assert await _count(db, "users") == 0


async def test_a_short_name_does_not_rule_out_every_passphrase(api: Api) -> None:
    """ "new" (of new@example.com) is a syllable of everyday words: only the whole password made
    of it is refused; "jo" is too short to count at all."""
    created = await api.register(
        username="bob", email="new@example.com", password="a renewed pledge"
    )
    assert created.status_code == 201, created.text
    other = await api.register(username="other", email="jo@example.com", password="joyful-journey")
    assert other.status_code == 201, other.text


async def test_a_new_password_may_not_contain_the_old_or_the_new_username(api: Api, db) -> None:
    auth = await api.signed_up()
    for body in (
        {"password": "alice-forever", "current_password": "s3cret-pass"},
        {"username": "zebra", "password": "zebra-crossing", "current_password": "s3cret-pass"},
    ):
        response = await api.client.patch("/api/v1/users", headers=auth, json=body)
        assert "username" in field_error(response, "password")
    profile = await api.client.get("/api/v1/users", headers=auth)
    assert profile.json()["username"] == "alice"


async def test_a_reset_password_may_not_contain_the_username_and_the_token_still_works(
    api: Api, db, mailed: MailedTokens
) -> None:
    await api.register()
    await api.client.post(FORGOT, json={"email": "alice@example.com"})
    token = await mailed.reset()
    refused = await api.client.post(RESET, json={"token": token, "new_password": "alice-again!"})
    assert "username" in field_error(refused, "new_password")
    accepted = await api.client.post(RESET, json={"token": token, "new_password": "brand-new-pass"})
    assert accepted.status_code == 204, accepted.text


async def test_length_is_counted_after_normalisation(api: Api) -> None:
    # Eight code points, four characters: each "é" is an e and a combining accent.
    padded = "e\u0301" * 4
    assert "8-128" in field_error(await api.register(password=padded), "password")
    # Composed and decomposed spellings of one password are one password.
    assert (await api.register(password="cre\u0300me brûlée!")).status_code == 201
    assert (await api.login(password="crème bru\u0302le\u0301e!")).status_code == 200


async def test_a_full_width_password_is_the_same_as_its_ascii_form(api: Api) -> None:
    # The full-width forms (an East Asian keyboard's) sit 0xFEE0 above the ASCII ones.
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "s3cret-pass")
    assert (await api.register(password=full_width)).status_code == 201
    assert (await api.login(password="s3cret-pass")).status_code == 200


async def test_a_hash_made_before_normalisation_still_signs_in_and_is_replaced(
    api: Api, db
) -> None:
    """A password with characters NFKC changes (the ligature "fi", an "e" with a combining
    accent), hashed as typed before passwords were normalised: it signs in as typed, the hash
    is replaced by one of the normal form, and both spellings sign in from then on."""
    typed = "\ufb01rst-cafe\u0301-secret"
    await api.register()
    legacy = PROFILES["cheapest"].hash(typed)
    await db.execute("UPDATE users SET password_hash = %s", (legacy,))

    assert (await api.login(password=typed)).status_code == 200
    upgraded = await _stored_hash(db)
    assert upgraded != legacy
    assert upgraded.startswith("nfkc$argon2id$")
    assert (await api.login(password=typed)).status_code == 200
    assert (await api.login(password="first-caf\u00e9-secret")).status_code == 200
    assert await _stored_hash(db) == upgraded


async def test_sign_in_does_not_apply_the_policy(api: Api, db) -> None:
    await api.register()
    await db.execute(
        "UPDATE users SET password_hash = %s", (PROFILES["cheapest"].hash("alice123"),)
    )
    assert (await api.login(password="alice123")).status_code == 200
