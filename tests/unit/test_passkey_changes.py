"""A passkey as the second factor of sensitive changes (a step-up), and adding and removing
passkeys, which are such changes: each needs the password, and a second factor the account
has, in the same request; each is in the audit trail."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pyotp
import pytest
from injector import Injector

from core.domain import Forbidden, InvalidInput, NotFound, User
from core.mfa.confirm_totp import ConfirmTotp, ConfirmTotpHandler
from core.mfa.get_status import GetMfaStatus, GetMfaStatusHandler
from core.mfa.start_totp import StartTotp, StartTotpHandler
from core.passkeys.begin_registration import (
    BeginPasskeyRegistration,
    BeginPasskeyRegistrationHandler,
)
from core.passkeys.begin_step_up import BeginPasskeyStepUp, BeginPasskeyStepUpHandler
from core.passkeys.ceremony import PasskeyAnswer
from core.passkeys.delete_passkey import DeletePasskey, DeletePasskeyHandler
from core.passkeys.list_passkeys import ListPasskeys, ListPasskeysHandler
from core.users.update_profile import UpdateProfile, UpdateProfileHandler
from tests.unit.conftest import ALICE_PASSWORD
from tests.unit.fake_passkeys import signed
from tests.unit.fakes import FixedClock, InMemoryRateLimiter, InMemoryUnitOfWorkFactory
from tests.unit.passkey_steps import KEY, add_passkey, remove


async def test_a_wrong_password_adds_no_passkey_and_is_a_failed_sign_in(
    handlers: Injector, alice: User, uow: InMemoryUnitOfWorkFactory
) -> None:
    begin = handlers.get(BeginPasskeyRegistrationHandler)

    with pytest.raises(Forbidden):
        await begin(BeginPasskeyRegistration(alice.id, "not the password"))

    assert not uow.store.webauthn_challenges
    (failed,) = uow.store.audit
    assert (failed.type, failed.details["during"]) == ("sign_in.failed", "second_factor_change")


async def test_with_an_authenticator_app_adding_a_passkey_needs_a_code(
    handlers: Injector, alice: User, clock: FixedClock
) -> None:
    started = await handlers.get(StartTotpHandler)(StartTotp(alice.id, ALICE_PASSWORD))
    totp = pyotp.TOTP(started.secret)
    await handlers.get(ConfirmTotpHandler)(ConfirmTotp(alice.id, totp.at(clock.now())))
    begin = handlers.get(BeginPasskeyRegistrationHandler)

    with pytest.raises(InvalidInput) as invalid:
        await begin(BeginPasskeyRegistration(alice.id, ALICE_PASSWORD))
    assert list(invalid.value.errors) == ["code"]

    clock.advance(timedelta(seconds=30))
    ceremony = await begin(
        BeginPasskeyRegistration(alice.id, ALICE_PASSWORD, code=totp.at(clock.now()))
    )
    assert ceremony.options["challenge"]


async def test_added_and_removed_passkeys_are_in_the_audit_trail(
    handlers: Injector, alice: User, uow: InMemoryUnitOfWorkFactory
) -> None:
    first = await add_passkey(handlers, alice, b"first", "Phone")
    second = await add_passkey(handlers, alice, b"second", "Laptop")
    await remove(handlers, alice, second.id)

    trail = [(e.type, e.details.get("method")) for e in uow.store.audit]
    assert trail == [
        ("second_factor.added", "passkey"),
        ("second_factor.added", "passkey"),
        ("second_factor.removed", "passkey"),
    ]
    listed = await handlers.get(ListPasskeysHandler)(ListPasskeys(alice.id))
    assert [p.id for p in listed] == [first.id]


async def test_removing_a_passkey_needs_the_password_and_a_passkey(
    handlers: Injector, alice: User
) -> None:
    passkey = await add_passkey(handlers, alice)
    delete = handlers.get(DeletePasskeyHandler)

    with pytest.raises(InvalidInput) as invalid:
        await delete(DeletePasskey(alice.id, passkey.id, ALICE_PASSWORD))
    assert list(invalid.value.errors) == ["passkey"]
    answer = await _step_up(handlers, alice)
    with pytest.raises(Forbidden):
        await delete(DeletePasskey(alice.id, passkey.id, "not the password", passkey=answer))
    with pytest.raises(NotFound):
        await remove(handlers, alice, uuid.uuid4())
    listed = await handlers.get(ListPasskeysHandler)(ListPasskeys(alice.id))
    assert [p.id for p in listed] == [passkey.id]


async def _step_up(handlers: Injector, user: User, count: int = 0) -> PasskeyAnswer:
    ceremony = await handlers.get(BeginPasskeyStepUpHandler)(BeginPasskeyStepUp(user.id))
    return PasskeyAnswer(ceremony.challenge_id, signed(ceremony.options, KEY, count, user.id))


@pytest.mark.parametrize(
    ("factor", "field"),
    [
        ({}, "passkey"),
        ({"code": "123456"}, "passkey"),
        ({"recovery_code": "abcde-fghij"}, "passkey"),
    ],
    ids=["none", "a_code", "a_recovery_code"],
)
async def test_a_passkey_only_account_changes_with_a_passkey_only(
    handlers: Injector,
    alice: User,
    limiter: InMemoryRateLimiter,
    factor: dict[str, str],
    field: str,
) -> None:
    await add_passkey(handlers, alice)
    update = handlers.get(UpdateProfileHandler)
    change = {"email": "new@example.com", "current_password": ALICE_PASSWORD}
    limiter.hits.clear()

    with pytest.raises(InvalidInput) as invalid:
        await update(UpdateProfile(alice.id, **change, **factor))

    assert list(invalid.value.errors) == [field]
    assert not any(limiter.hits.values()), "a missing factor costs nothing"
    changed = await update(
        UpdateProfile(alice.id, **change, passkey=await _step_up(handlers, alice))
    )
    assert changed.pending_email == "new@example.com"


async def test_a_wrong_passkey_answer_to_a_change_is_forbidden_and_a_failed_sign_in(
    handlers: Injector, alice: User, uow: InMemoryUnitOfWorkFactory
) -> None:
    await add_passkey(handlers, alice)
    answer = await _step_up(handlers, alice)
    update = handlers.get(UpdateProfileHandler)
    right = dict(answer.credential)

    for spoiled in (
        PasskeyAnswer(answer.challenge_id, {**right, "challenge": "00"}),
        PasskeyAnswer(answer.challenge_id, {**right, "credential": "ff"}),
    ):
        with pytest.raises(Forbidden):
            await update(
                UpdateProfile(
                    alice.id,
                    password="a new passphrase",
                    current_password=ALICE_PASSWORD,
                    passkey=spoiled,
                )
            )
    assert uow.store.users[alice.id].password_hash == alice.password_hash
    failed = [e.details["reason"] for e in uow.store.audit if e.type == "sign_in.failed"]
    assert failed == ["wrong_passkey", "wrong_passkey"]
    # The answer itself is still good: a failed check used up nothing.
    await update(
        UpdateProfile(
            alice.id,
            password="a new passphrase",
            current_password=ALICE_PASSWORD,
            passkey=answer,
        )
    )


async def test_a_step_up_answer_works_once(handlers: Injector, alice: User) -> None:
    await add_passkey(handlers, alice)
    answer = await _step_up(handlers, alice)
    update = handlers.get(UpdateProfileHandler)
    change = {"email": "new@example.com", "current_password": ALICE_PASSWORD, "passkey": answer}
    await update(UpdateProfile(alice.id, **change))

    with pytest.raises(Forbidden):
        await update(UpdateProfile(alice.id, **{**change, "email": "other@example.com"}))


async def test_the_status_lists_passkeys_and_a_passkey_account_may_add_an_app(
    handlers: Injector, alice: User
) -> None:
    passkey = await add_passkey(handlers, alice, name="Phone")
    status = await handlers.get(GetMfaStatusHandler)(GetMfaStatus(alice.id))
    assert (status.totp, status.passkey_only, status.passkeys) == (False, True, [passkey])

    start = handlers.get(StartTotpHandler)
    with pytest.raises(InvalidInput):
        await start(StartTotp(alice.id, ALICE_PASSWORD))
    enrolment = await start(
        StartTotp(alice.id, ALICE_PASSWORD, passkey=await _step_up(handlers, alice))
    )
    assert enrolment.secret
