"""Passkeys through the web wiring with fakes: registration, the list, names, removal, and the
assertion step sign-in will share; and the signature counter's rule."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from injector import Injector

from core.domain import (
    CHALLENGE_TTL,
    Assertion,
    ClonedAuthenticator,
    Conflict,
    InvalidInput,
    InvalidPasskey,
    NewCredential,
    NotFound,
    Passkey,
    Unauthenticated,
    User,
)
from core.passkeys.begin_assertion import BeginAssertion
from core.passkeys.begin_registration import (
    BeginPasskeyRegistration,
    BeginPasskeyRegistrationHandler,
)
from core.passkeys.finish_registration import (
    FinishPasskeyRegistration,
    FinishPasskeyRegistrationHandler,
)
from core.passkeys.list_passkeys import ListPasskeys, ListPasskeysHandler
from core.passkeys.rename_passkey import RenamePasskey, RenamePasskeyHandler
from core.passkeys.verify_assertion import VerifyAssertion
from tests.unit.conftest import ALICE_PASSWORD, START
from tests.unit.fake_passkeys import created, signed
from tests.unit.fakes import FixedClock, InMemoryUnitOfWorkFactory
from tests.unit.passkey_steps import KEY, add_passkey, begin_registration, remove


async def sign(
    handlers: Injector,
    uow: InMemoryUnitOfWorkFactory,
    owner: User,
    *,
    known: bool = True,
    credential_id: bytes = KEY,
    count: int = 0,
    handle_of: User | None = None,
) -> Passkey:
    """Begin and answer a second step for `owner` (known=False: a discoverable sign-in) with
    an authenticator that returns the user handle of `handle_of` (by default, of `owner`)."""
    user_id = owner.id if known else None
    purpose = "second_step" if known else "sign_in"
    async with uow() as tx:
        ceremony = await handlers.get(BeginAssertion)(tx, purpose, user_id)
        await tx.commit()
    answer = signed(ceremony.options, credential_id, count, (handle_of or owner).id)
    async with uow() as tx:
        passkey = await handlers.get(VerifyAssertion)(
            tx, purpose, ceremony.challenge_id, answer, user_id
        )
        await tx.commit()
    return passkey


async def test_a_registered_passkey_is_stored_named_and_announced(
    handlers: Injector, alice: User, uow: InMemoryUnitOfWorkFactory
) -> None:
    passkey = await add_passkey(handlers, alice, name="  Laptop ")
    assert (passkey.name, passkey.user_id, passkey.credential_id) == ("Laptop", alice.id, KEY)
    assert list(uow.store.passkeys.values()) == [passkey]
    assert [(e.type, e.email) for e in uow.store.events] == [
        ("user.passkey_added", "alice@example.com")
    ]
    assert (await add_passkey(handlers, alice, b"credential-2")).name == "Passkey"


async def test_registration_excludes_the_passkeys_the_account_has(
    handlers: Injector, alice: User
) -> None:
    await add_passkey(handlers, alice)
    ceremony = await handlers.get(BeginPasskeyRegistrationHandler)(
        await begin_registration(handlers, alice)
    )
    assert ceremony.options["excludeCredentials"] == [KEY.hex()]


async def test_a_credential_registered_already_is_a_conflict(
    handlers: Injector, alice: User
) -> None:
    await add_passkey(handlers, alice)
    with pytest.raises(Conflict):
        await add_passkey(handlers, alice)


@pytest.mark.parametrize("problem", ["reused", "expired", "another_users", "another_answer"])
async def test_a_bad_challenge_stores_nothing(
    handlers: Injector,
    alice: User,
    uow: InMemoryUnitOfWorkFactory,
    clock: FixedClock,
    problem: str,
) -> None:
    begin = handlers.get(BeginPasskeyRegistrationHandler)
    finish = handlers.get(FinishPasskeyRegistrationHandler)
    ceremony = await begin(BeginPasskeyRegistration(alice.id, ALICE_PASSWORD))
    answer = created(ceremony.options, KEY)
    user_id = alice.id
    if problem == "reused":
        await finish(FinishPasskeyRegistration(alice.id, ceremony.challenge_id, answer))
        answer = created(ceremony.options, b"credential-2")
    elif problem == "expired":
        clock.advance(CHALLENGE_TTL)
    elif problem == "another_users":
        bob = replace(alice, id=uuid.uuid4(), username="bob", email="bob@example.com")
        uow.store.users[bob.id] = bob
        user_id = bob.id
    else:
        again = await begin(BeginPasskeyRegistration(alice.id, ALICE_PASSWORD))
        answer = created(again.options, KEY)
    before = dict(uow.store.passkeys)
    with pytest.raises(InvalidPasskey):
        await finish(FinishPasskeyRegistration(user_id, ceremony.challenge_id, answer))
    assert uow.store.passkeys == before


async def test_a_stale_access_token_starts_no_registration(handlers: Injector, alice: User) -> None:
    with pytest.raises(Unauthenticated):
        await handlers.get(BeginPasskeyRegistrationHandler)(
            BeginPasskeyRegistration(
                alice.id, ALICE_PASSWORD, token_version=alice.token_version + 1
            )
        )


@pytest.mark.parametrize("name", ["", "   ", "x" * 65, "tab\there", "bidi\u202eevil"])
async def test_names_are_short_visible_text(handlers: Injector, alice: User, name: str) -> None:
    passkey = await add_passkey(handlers, alice)
    with pytest.raises(InvalidInput) as raised:
        await handlers.get(RenamePasskeyHandler)(RenamePasskey(alice.id, passkey.id, name))
    assert "name" in raised.value.errors


async def test_the_owner_lists_renames_and_deletes_passkeys(
    handlers: Injector, alice: User
) -> None:
    first = await add_passkey(handlers, alice, KEY, "Phone")
    second = await add_passkey(handlers, alice, b"credential-2", "Laptop")
    await handlers.get(RenamePasskeyHandler)(RenamePasskey(alice.id, first.id, "Old phone"))
    await remove(handlers, alice, second.id)
    listed = await handlers.get(ListPasskeysHandler)(ListPasskeys(alice.id))
    assert [(p.id, p.name) for p in listed] == [(first.id, "Old phone")]


async def test_another_users_passkey_is_not_found(
    handlers: Injector, alice: User, uow: InMemoryUnitOfWorkFactory
) -> None:
    passkey = await add_passkey(handlers, alice)
    bob = replace(alice, id=uuid.uuid4(), username="bob", email="bob@example.com")
    uow.store.users[bob.id] = bob
    with pytest.raises(NotFound):
        await handlers.get(RenamePasskeyHandler)(RenamePasskey(bob.id, passkey.id, "Mine now"))
    with pytest.raises(NotFound):
        await remove(handlers, bob, passkey.id)
    assert uow.store.passkeys[passkey.id] == passkey


async def test_an_assertion_records_the_counter_and_the_time_of_use(
    handlers: Injector, alice: User, uow: InMemoryUnitOfWorkFactory, clock: FixedClock
) -> None:
    await add_passkey(handlers, alice)
    clock.advance(timedelta(hours=1))
    used = await sign(handlers, uow, alice, count=7)
    assert (used.sign_count, used.last_used_at) == (7, clock.now())
    assert uow.store.passkeys[used.id] == used
    assert (await sign(handlers, uow, alice, known=False, count=8)).id == used.id


@pytest.mark.parametrize(
    ("credential_id", "known", "bobs_handle"),
    [(b"bobs", True, True), (b"nobody's", True, False), (KEY, False, True)],
    ids=["another_users_passkey", "unknown_credential", "another_users_handle"],
)
async def test_an_assertion_by_the_wrong_passkey_is_refused(
    handlers: Injector,
    alice: User,
    uow: InMemoryUnitOfWorkFactory,
    credential_id: bytes,
    known: bool,
    bobs_handle: bool,
) -> None:
    bob = replace(alice, id=uuid.uuid4(), username="bob", email="bob@example.com")
    uow.store.users[bob.id] = bob
    await add_passkey(handlers, alice)
    await add_passkey(handlers, bob, b"bobs")
    before = dict(uow.store.passkeys)
    handle_of = bob if bobs_handle else None
    with pytest.raises(InvalidPasskey):
        await sign(
            handlers, uow, alice, known=known, credential_id=credential_id, handle_of=handle_of
        )
    assert uow.store.passkeys == before


async def test_a_discoverable_answer_must_say_whose_it_is(
    handlers: Injector, alice: User, uow: InMemoryUnitOfWorkFactory
) -> None:
    await add_passkey(handlers, alice)
    async with uow() as tx:
        ceremony = await handlers.get(BeginAssertion)(tx, "sign_in")
        await tx.commit()
    answer = {**signed(ceremony.options, KEY, 1), "user_handle": None}
    async with uow() as tx:
        with pytest.raises(InvalidPasskey):
            await handlers.get(VerifyAssertion)(tx, "sign_in", ceremony.challenge_id, answer)


async def test_a_challenge_answers_only_its_own_purpose(
    handlers: Injector, alice: User, uow: InMemoryUnitOfWorkFactory
) -> None:
    await add_passkey(handlers, alice)
    async with uow() as tx:
        ceremony = await handlers.get(BeginAssertion)(tx, "step_up", alice.id)
        await tx.commit()
    async with uow() as tx:
        with pytest.raises(InvalidPasskey):
            await handlers.get(VerifyAssertion)(
                tx, "sign_in", ceremony.challenge_id, signed(ceremony.options, KEY, 1, alice.id)
            )


def _passkey(sign_count: int) -> Passkey:
    credential = NewCredential(
        KEY, b"public-key-bytes", sign_count, (), uuid.UUID(int=0), True, True
    )
    return Passkey.register(uuid.uuid4(), credential, "Phone", START)


@pytest.mark.parametrize(("stored", "presented"), [(0, 0), (0, 1), (5, 6), (5, 900)])
def test_a_counter_that_advances_or_never_counts_is_accepted(stored: int, presented: int) -> None:
    used = _passkey(stored).used(Assertion(KEY, presented, True, None), START)
    assert (used.sign_count, used.last_used_at) == (presented, START)


@pytest.mark.parametrize(("stored", "presented"), [(5, 5), (5, 4), (5, 0), (1, 0)])
def test_a_counter_that_goes_back_is_a_clone_refused_and_logged(
    stored: int, presented: int, caplog: pytest.LogCaptureFixture
) -> None:
    passkey = _passkey(stored)
    with caplog.at_level(logging.WARNING, "core.passkeys"), pytest.raises(ClonedAuthenticator):
        passkey.used(Assertion(KEY, presented, True, None), START)
    (record,) = caplog.records
    assert (record.levelname, record.passkey_id) == ("WARNING", str(passkey.id))  # type: ignore[attr-defined]
    logged = repr(record.__dict__)
    assert "public-key-bytes" not in logged
    assert "public_key" not in logged
