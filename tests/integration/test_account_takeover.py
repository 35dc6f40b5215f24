"""Attacks on an account through the API, each refused: a stolen access token, a password
guesser, a mail bomber, and a copy of the outbox."""

from __future__ import annotations

from tests.integration.api_client import Api, assert_problem
from tests.integration.tokens_mailed import MailedTokens

USERS = "/api/v1/users"
CANCEL = "/api/v1/users/email-change/cancel"
FORGOT = "/api/v1/password/forgot"
RESET = "/api/v1/password/reset"


async def _outbox_types(db) -> list[str]:  # type: ignore[no-untyped-def]
    rows = await (await db.execute("SELECT type FROM outbox ORDER BY id")).fetchall()
    return [row[0] for row in rows]


async def test_a_stolen_access_token_alone_cannot_take_the_address(api: Api, db) -> None:
    stolen = await api.signed_up()
    for body in (
        {"email": "x@attacker.test"},
        {"password": "attacker-password"},
        {"email": "x@attacker.test", "password": "attacker-password"},
    ):
        refused = await api.client.patch(USERS, json=body, headers=stolen)
        assert "current_password" in assert_problem(refused, 422)["errors"]
    profile = (await api.client.get(USERS, headers=stolen)).json()
    assert (profile["email"], profile["pending_email"]) == ("alice@example.com", None)
    assert (await api.login()).status_code == 200


async def test_a_wrong_re_entered_password_counts_as_a_failed_login(api: Api) -> None:
    stolen = await api.signed_up()
    for n in range(5):
        guess = {"email": "x@attacker.test", "current_password": f"guess-{n}"}
        assert_problem(await api.client.patch(USERS, json=guess, headers=stolen), 403)
    # No oracle: the sixth guess is refused before the password is even looked at.
    locked = await api.client.patch(
        USERS, json={"email": "x@attacker.test", "current_password": "s3cret-pass"}, headers=stolen
    )
    assert_problem(locked, 429)
    deletion = await api.client.request(
        "DELETE", USERS, json={"password": "guess-6"}, headers=stolen
    )
    assert_problem(deletion, 429)


async def test_the_new_address_is_nothing_until_it_confirms(
    api: Api, db, mailed: MailedTokens
) -> None:
    auth = await api.signed_up()
    assert (await api.change_email(auth, "x@attacker.test")).status_code == 200

    # Not a login, not a recovery address: the reset link still goes to the owner only.
    assert_problem(await api.login("x@attacker.test"), 401)
    before = await _outbox_types(db)
    assert (await api.client.post(FORGOT, json={"email": "x@attacker.test"})).status_code == 202
    assert await _outbox_types(db) == before, "nothing is mailed to a pending address"
    # The owner was told at the current address, with a way to cancel.
    assert "user.email_change_requested" in before


async def test_the_owner_cancels_a_change_and_every_session_ends(
    api: Api, db, mailed: MailedTokens
) -> None:
    auth = await api.signed_up()
    session = (await api.login()).json()
    await api.change_email(auth, "x@attacker.test")
    attacker_link = await mailed.verification("x@attacker.test")

    cancelled = await api.client.post(CANCEL, json={"token": await mailed.cancellation()})

    assert cancelled.status_code == 204
    assert_problem(await api.client.get(USERS, headers=auth), 401)
    refreshed = await api.client.post(
        "/api/v1/token/refresh", json={"refresh_token": session["refresh_token"]}
    )
    assert_problem(refreshed, 401)
    assert_problem(await api.confirm_email(attacker_link), 400)
    fresh = {"Authorization": f"Bearer {await api.token()}"}
    profile = (await api.client.get(USERS, headers=fresh)).json()
    assert (profile["email"], profile["pending_email"]) == ("alice@example.com", None)
    assert (await _outbox_types(db))[-1] == "user.email_change_cancelled"


async def test_the_old_address_reverts_a_confirmed_change_within_seven_days(
    api: Api, db, mailed: MailedTokens
) -> None:
    auth = await api.signed_up()
    await api.change_email(auth, "x@attacker.test")
    assert (
        await api.confirm_email(await mailed.verification("x@attacker.test"))
    ).status_code == 204
    assert (await api.login("x@attacker.test")).status_code == 200, "the change took effect"

    reverted = await api.client.post(CANCEL, json={"token": await mailed.reversion()})

    assert reverted.status_code == 204
    assert_problem(await api.client.get(USERS, headers=auth), 401)
    assert_problem(await api.login("x@attacker.test"), 401)
    reset = await mailed.reset("alice@example.com")
    done = await api.client.post(RESET, json={"token": reset, "new_password": "taken-back-pw"})
    assert done.status_code == 204
    assert (await api.login(password="taken-back-pw")).status_code == 200
    # A revert link works once, and a cancellation link after the confirmation not at all.
    assert_problem(await api.client.post(CANCEL, json={"token": await mailed.reversion()}), 400)
    assert_problem(await api.client.post(CANCEL, json={"token": await mailed.cancellation()}), 400)


async def test_a_revert_link_expires_after_seven_days(api: Api, db, mailed: MailedTokens) -> None:
    auth = await api.signed_up()
    await api.change_email(auth, "new@example.org")
    await api.confirm_email(await mailed.verification("new@example.org"))
    row = await (
        await db.execute(
            "SELECT expires_at - created_at FROM action_tokens"
            " WHERE purpose = 'revert_email_change'"
        )
    ).fetchone()
    assert row[0].days == 7
    await db.execute("UPDATE action_tokens SET expires_at = now() - interval '1 second'")
    assert_problem(await api.client.post(CANCEL, json={"token": await mailed.reversion()}), 400)


async def test_one_address_gets_at_most_three_token_mails_an_hour_whoever_asks(
    api: Api, db
) -> None:
    await api.register()  # the confirmation mail is the first
    for n in range(6):
        forgot = await api.client.post(
            FORGOT, json={"email": "alice@example.com"}, headers={"X-Request-ID": f"bomb-{n}"}
        )
        assert forgot.status_code == 202
    types = await _outbox_types(db)
    assert (
        types.count("user.verification_requested") + types.count("user.password_reset_requested")
        == 3
    )


async def test_nothing_in_the_outbox_opens_the_account(api: Api, db) -> None:
    auth = await api.signed_up()
    await api.client.post(FORGOT, json={"email": "alice@example.com"})
    await api.change_email(auth, "alice@example.org")
    payloads = await (await db.execute("SELECT payload FROM outbox")).fetchall()
    strings = {
        value for (payload,) in payloads for value in payload.values() if isinstance(value, str)
    }
    assert len(strings) > 5
    for value in strings:
        for path, body in (
            (RESET, {"token": value, "new_password": "attacker-password"}),
            ("/api/v1/users/verify-email", {"token": value}),
            (CANCEL, {"token": value}),
        ):
            response = await api.client.post(path, json=body)
            assert response.status_code in (400, 422), (path, value, response.text)
    assert (await api.login()).status_code == 200


# Found by reviewing the first version as an attacker would.


async def test_a_reset_drops_a_change_of_address_asked_for_with_the_old_password(
    api: Api, mailed: MailedTokens
) -> None:
    auth = await api.signed_up()
    await api.change_email(auth, "x@attacker.test")  # by whoever knew the password
    attacker_link = await mailed.verification("x@attacker.test")
    await api.client.post(FORGOT, json={"email": "alice@example.com"})
    reset = {"token": await mailed.reset(), "new_password": "owner-new-password"}
    assert (await api.client.post(RESET, json=reset)).status_code == 204

    assert_problem(await api.confirm_email(attacker_link), 400)
    fresh = {"Authorization": f"Bearer {await api.token(password='owner-new-password')}"}
    assert (await api.client.get(USERS, headers=fresh)).json()["pending_email"] is None


async def test_a_revert_shuts_out_whoever_set_the_password(api: Api, mailed: MailedTokens) -> None:
    auth = await api.signed_up()
    await api.change_email(auth, "x@attacker.test")
    await api.confirm_email(await mailed.verification("x@attacker.test"))
    change = {"password": "attacker-password", "current_password": "s3cret-pass"}
    assert (await api.client.patch(USERS, json=change, headers=auth)).status_code == 200

    assert (
        await api.client.post(CANCEL, json={"token": await mailed.reversion()})
    ).status_code == 204

    assert_problem(await api.login(password="attacker-password"), 401)
    assert_problem(await api.login("x@attacker.test", "attacker-password"), 401)
    reset = {"token": await mailed.reset(), "new_password": "owner-new-password"}
    assert (await api.client.post(RESET, json=reset)).status_code == 204
    assert (await api.login(password="owner-new-password")).status_code == 200


async def test_only_the_latest_change_can_be_reverted(api: Api, mailed: MailedTokens) -> None:
    auth = await api.signed_up()
    await api.change_email(auth, "b@example.org")
    await api.confirm_email(await mailed.verification("b@example.org"))
    from_a = await mailed.reversion("alice@example.com")
    await api.change_email(auth, "c@example.org")
    await api.confirm_email(await mailed.verification("c@example.org"))

    assert_problem(await api.client.post(CANCEL, json={"token": from_a}), 400)
    from_b = await mailed.reversion("b@example.org")
    assert (await api.client.post(CANCEL, json={"token": from_b})).status_code == 204


async def test_refused_sign_ups_do_not_spend_the_owners_mail_quota(api: Api, db) -> None:
    await api.register()
    for n in range(5):
        taken = await api.register(username=f"mallory{n}", email="Alice@Example.com")
        assert_problem(taken, 409)
    await api.client.post(FORGOT, json={"email": "alice@example.com"})
    assert "user.password_reset_requested" in await _outbox_types(db)


async def test_a_network_the_account_knows_is_never_held_to_the_mail_quota(api: Api, db) -> None:
    await api.register()
    assert (await api.login()).status_code == 200  # this network is the owner's
    for _ in range(5):
        await api.client.post(FORGOT, json={"email": "alice@example.com"})
    types = await _outbox_types(db)
    assert types.count("user.password_reset_requested") == 5
