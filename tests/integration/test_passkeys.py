"""Passkeys end to end below the API: registered and used through the web wiring, on the real
PostgreSQL, answered by a software authenticator as a browser would answer."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest
from injector import Injector

from core.domain import ClonedAuthenticator, InvalidPasskey, NotFound
from core.passkeys.list_passkeys import ListPasskeys, ListPasskeysHandler
from core.passkeys.rename_passkey import RenamePasskey, RenamePasskeyHandler
from tests.integration.api_client import Api
from tests.integration.passkey_steps import PasskeySteps
from tests.webauthn_authenticator import InvalidStateError, SoftwareAuthenticator, b64url


@pytest.fixture
def steps(injector: Injector, db) -> PasskeySteps:
    return PasskeySteps(injector, db)


@pytest.fixture
async def alice(api: Api) -> uuid.UUID:
    response = await api.register()
    return uuid.UUID(response.json()["id"])


@pytest.fixture
async def bob(api: Api) -> uuid.UUID:
    response = await api.register(username="bob", email="bob@example.com")
    return uuid.UUID(response.json()["id"])


async def test_a_registered_passkey_signs_in_and_is_the_second_step(
    steps: PasskeySteps, alice: uuid.UUID
) -> None:
    phone = SoftwareAuthenticator()
    passkey = await steps.register(alice, phone, name="Phone")
    assert (passkey.sign_count, passkey.backup_eligible, passkey.backed_up) == (0, True, True)
    assert passkey.transports == ("hybrid", "internal")
    assert (await steps.events())[-1] == "user.passkey_added"

    signed_in = await steps.sign_in(phone)
    assert (signed_in.id, signed_in.user_id, signed_in.sign_count) == (passkey.id, alice, 1)

    ceremony = await steps.begin_assertion("second_step", alice)
    assert ceremony.options["allowCredentials"][0]["id"] == b64url(passkey.credential_id)
    assert ceremony.options["userVerification"] == "required"
    second = await steps.verify_assertion(
        "second_step", ceremony, phone.get(ceremony.options), alice
    )
    assert second.sign_count == 2
    [(user_id, name, count, last_used)] = await steps.rows()
    assert (user_id, name, count) == (alice, "Phone", 2)
    assert last_used == second.last_used_at


async def test_registration_asks_for_a_discoverable_verified_passkey_not_registered_yet(
    steps: PasskeySteps, alice: uuid.UUID
) -> None:
    phone = SoftwareAuthenticator()
    passkey = await steps.register(alice, phone)
    ceremony = await steps.begin_registration(alice)
    options = ceremony.options
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["attestation"] == "none"
    assert options["user"]["id"] == b64url(alice.bytes)
    assert [c["id"] for c in options["excludeCredentials"]] == [b64url(passkey.credential_id)]
    with pytest.raises(InvalidStateError):
        phone.create(options)  # the browser refuses: this authenticator is registered
    await steps.finish_registration(alice, ceremony, SoftwareAuthenticator().create(options))
    assert len(await steps.rows()) == 2


def _malformed_attestation(answer: dict) -> dict:
    answer["response"]["attestationObject"] = b64url(b"\xa1not cbor")
    return answer


def _not_json(answer: dict) -> str:
    return "{" + str(answer)


@pytest.mark.parametrize(
    ("knobs", "spoil"),
    [
        ({}, _malformed_attestation),
        ({}, _not_json),
        ({"origin": "https://accounts.evil.example"}, None),
        ({"rp_id": "evil.example"}, None),
        ({"user_verified": False}, None),
    ],
    ids=["malformed_attestation", "not_json", "wrong_origin", "wrong_rp_id", "no_uv"],
)
async def test_a_bad_registration_answer_changes_nothing(
    steps: PasskeySteps, alice: uuid.UUID, knobs: dict, spoil
) -> None:
    ceremony = await steps.begin_registration(alice)
    answer = SoftwareAuthenticator().create(ceremony.options, **knobs)
    with pytest.raises(InvalidPasskey):
        await steps.finish_registration(alice, ceremony, spoil(answer) if spoil else answer)
    assert await steps.rows() == []
    assert "user.passkey_added" not in await steps.events()
    assert not await steps.challenge_used(ceremony)


@pytest.mark.parametrize("problem", ["another_challenge", "expired", "reused", "another_user"])
async def test_a_registration_answers_its_own_live_challenge_once(
    steps: PasskeySteps, alice: uuid.UUID, bob: uuid.UUID, problem: str
) -> None:
    ceremony = await steps.begin_registration(alice)
    authenticator = SoftwareAuthenticator()
    answer = authenticator.create(ceremony.options)
    user = alice
    if problem == "another_challenge":
        answer = authenticator.create((await steps.begin_registration(alice)).options)
    elif problem == "expired":
        await steps.expire(ceremony)
    elif problem == "reused":
        await steps.finish_registration(alice, ceremony, answer)
    else:
        user = bob
    before = await steps.rows()
    with pytest.raises(InvalidPasskey):
        await steps.finish_registration(user, ceremony, answer)
    assert await steps.rows() == before


@pytest.mark.parametrize(
    "knobs",
    [
        {"tamper_signature": True},
        {"origin": "https://accounts.evil.example"},
        {"rp_id": "evil.example"},
        {"user_verified": False},
    ],
    ids=["tampered_signature", "wrong_origin", "wrong_rp_id", "no_uv"],
)
async def test_a_bad_assertion_changes_nothing(
    steps: PasskeySteps, alice: uuid.UUID, knobs: dict
) -> None:
    phone = SoftwareAuthenticator()
    await steps.register(alice, phone)
    ceremony = await steps.begin_assertion("sign_in")
    with pytest.raises(InvalidPasskey):
        await steps.verify_assertion("sign_in", ceremony, phone.get(ceremony.options, **knobs))
    assert [(count, used) for (_, _, count, used) in await steps.rows()] == [(0, None)]
    assert not await steps.challenge_used(ceremony)


@pytest.mark.parametrize("problem", ["another_challenge", "expired", "reused", "purpose"])
async def test_an_assertion_answers_its_own_live_challenge_once(
    steps: PasskeySteps, alice: uuid.UUID, problem: str
) -> None:
    phone = SoftwareAuthenticator(counts=False)
    await steps.register(alice, phone)
    ceremony = await steps.begin_assertion("step_up", alice)
    answer = phone.get(ceremony.options)
    purpose = "step_up"
    if problem == "another_challenge":
        answer = phone.get((await steps.begin_assertion("step_up", alice)).options)
    elif problem == "expired":
        await steps.expire(ceremony)
    elif problem == "reused":
        await steps.verify_assertion("step_up", ceremony, answer, alice)
    else:
        purpose = "sign_in"
    before = await steps.rows()
    with pytest.raises(InvalidPasskey):
        await steps.verify_assertion(purpose, ceremony, answer, alice)
    assert await steps.rows() == before


async def test_an_unknown_or_another_users_passkey_is_refused(
    steps: PasskeySteps, alice: uuid.UUID, bob: uuid.UUID
) -> None:
    bobs = SoftwareAuthenticator()
    await steps.register(bob, bobs)
    ceremony = await steps.begin_assertion("second_step", alice)
    with pytest.raises(InvalidPasskey):  # allowCredentials is empty: bob's key would answer
        await steps.verify_assertion("second_step", ceremony, bobs.get(ceremony.options), alice)
    stranger = SoftwareAuthenticator()
    stranger.create((await steps.begin_registration(alice)).options)  # never sent back
    ceremony = await steps.begin_assertion("sign_in")
    with pytest.raises(InvalidPasskey):
        await steps.verify_assertion("sign_in", ceremony, stranger.get(ceremony.options))


async def test_a_cloned_authenticator_is_refused_and_logged(
    steps: PasskeySteps, alice: uuid.UUID, caplog: pytest.LogCaptureFixture
) -> None:
    phone = SoftwareAuthenticator()
    passkey = await steps.register(alice, phone)
    ceremony = await steps.begin_assertion("sign_in")
    await steps.verify_assertion("sign_in", ceremony, phone.get(ceremony.options, counter=5))
    ceremony = await steps.begin_assertion("sign_in")
    clone = phone.get(ceremony.options, counter=3)
    with caplog.at_level(logging.WARNING, "core.passkeys"), pytest.raises(ClonedAuthenticator):
        await steps.verify_assertion("sign_in", ceremony, clone)
    assert [count for (_, _, count, _) in await steps.rows()] == [5]
    warned = [r for r in caplog.records if r.name == "core.passkeys"]
    assert [(r.levelname, getattr(r, "passkey_id", None)) for r in warned] == [
        ("WARNING", str(passkey.id))
    ]


async def test_two_answers_to_one_challenge_only_one_counts(
    steps: PasskeySteps, alice: uuid.UUID
) -> None:
    phone = SoftwareAuthenticator(counts=False)
    await steps.register(alice, phone)
    ceremony = await steps.begin_assertion("sign_in")
    answer = phone.get(ceremony.options)
    outcomes = await asyncio.gather(
        steps.verify_assertion("sign_in", ceremony, answer),
        steps.verify_assertion("sign_in", ceremony, answer),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["InvalidPasskey", "Passkey"]


async def test_the_owner_renames_and_deletes_passkeys_others_cannot(
    steps: PasskeySteps, injector: Injector, alice: uuid.UUID, bob: uuid.UUID, db
) -> None:
    phone = await steps.register(alice, SoftwareAuthenticator(), name="Phone")
    laptop = await steps.register(alice, SoftwareAuthenticator(), name="Laptop")
    rename = injector.get(RenamePasskeyHandler)
    with pytest.raises(NotFound):
        await rename(RenamePasskey(bob, phone.id, "Mine"))
    with pytest.raises(NotFound):
        await steps.remove(bob, phone.id)
    await rename(RenamePasskey(alice, phone.id, "Old phone"))
    await steps.remove(alice, laptop.id)
    listed = await injector.get(ListPasskeysHandler)(ListPasskeys(alice))
    assert [(p.id, p.name) for p in listed] == [(phone.id, "Old phone")]
    await db.execute("DELETE FROM users WHERE id = %s", (alice,))
    assert await steps.rows() == [], "a user's passkeys go with the account"
