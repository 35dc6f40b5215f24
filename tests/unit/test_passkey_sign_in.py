"""Passkeys as a way in, through the web wiring with fakes: signing in with a passkey alone, the
passkey as the second step after the password, and a passkey's answer as the second factor a
sensitive change asks for."""

from __future__ import annotations

from dataclasses import replace

import pytest
from injector import Injector

from core.domain import (
    Forbidden,
    InvalidCredentials,
    RateLimited,
    SecondFactorRequired,
    StateConflict,
    User,
)
from core.mfa.begin_passkey_second_step import (
    BeginPasskeySecondStep,
    BeginPasskeySecondStepHandler,
)
from core.mfa.complete_sign_in import CompleteSignIn, CompleteSignInHandler
from core.passkeys.begin_sign_in import BeginPasskeySignIn, BeginPasskeySignInHandler
from core.passkeys.begin_step_up import BeginPasskeyStepUp, BeginPasskeyStepUpHandler
from core.passkeys.ceremony import PasskeyAnswer
from core.passkeys.sign_in import SignInWithPasskey, SignInWithPasskeyHandler
from core.tokens.issue_access_token import IssueAccessToken, IssueAccessTokenHandler
from core.tokens.issued import IssuedTokens
from tests.unit.conftest import ALICE_PASSWORD
from tests.unit.fake_passkeys import signed
from tests.unit.fakes import (
    FakeTokens,
    InMemoryFamiliarAddresses,
    InMemoryRateLimiter,
    InMemoryUnitOfWorkFactory,
)
from tests.unit.passkey_steps import KEY, add_passkey

OWNER = "192.0.2.1"


async def _sign_in(
    handlers: Injector, user: User, credential_id: bytes = KEY, count: int = 0
) -> IssuedTokens:
    ceremony = await handlers.get(BeginPasskeySignInHandler)(BeginPasskeySignIn())
    answer = signed(ceremony.options, credential_id, count, user.id)
    command = SignInWithPasskey(ceremony.challenge_id, answer, OWNER, "Firefox on Linux")
    return await handlers.get(SignInWithPasskeyHandler)(command)


async def test_a_passkey_alone_signs_in_and_says_so(
    handlers: Injector,
    alice: User,
    tokens: FakeTokens,
    uow: InMemoryUnitOfWorkFactory,
    familiar: InMemoryFamiliarAddresses,
) -> None:
    await add_passkey(handlers, alice)

    issued = await _sign_in(handlers, alice)

    assert tokens.verify(issued.access.token).amr == ("hwk",)
    (family,) = uow.store.refresh_tokens.values()
    assert (family.user_id, family.amr) == (alice.id, ("hwk",))
    signed_in = uow.store.audit[-1]
    assert (signed_in.type, signed_in.details) == ("sign_in.succeeded", {"method": "passkey"})
    assert familiar.known


async def test_an_unknown_passkey_signs_nobody_in_and_counts_against_no_account(
    handlers: Injector, alice: User, uow: InMemoryUnitOfWorkFactory, limiter: InMemoryRateLimiter
) -> None:
    await add_passkey(handlers, alice)
    audit_before = list(uow.store.audit)

    with pytest.raises(InvalidCredentials):
        await _sign_in(handlers, alice, credential_id=b"nobody's")

    assert not uow.store.refresh_tokens
    assert uow.store.audit == audit_before
    assert not any(limiter.hits.values())


async def test_failed_answers_of_a_known_passkey_lock_its_account(
    handlers: Injector, alice: User, uow: InMemoryUnitOfWorkFactory
) -> None:
    await add_passkey(handlers, alice)
    await _sign_in(handlers, alice, count=5)
    for _ in range(5):  # LOGIN_LOCKOUT: 5 per 15 minutes; a counter gone back is a clone
        with pytest.raises(InvalidCredentials):
            await _sign_in(handlers, alice, count=3)

    with pytest.raises(RateLimited):
        await _sign_in(handlers, alice, count=6)
    failed = [e for e in uow.store.audit if e.type == "sign_in.failed"]
    assert len(failed) == 5
    assert failed[0].details == {"reason": "wrong_passkey", "during": "sign_in"}


async def test_a_blocked_account_gets_no_session_from_its_passkey(
    handlers: Injector, alice: User, uow: InMemoryUnitOfWorkFactory
) -> None:
    await add_passkey(handlers, alice)
    uow.store.users[alice.id] = replace(alice, email_status="rejected")

    with pytest.raises(Forbidden):
        await _sign_in(handlers, alice)
    assert not uow.store.refresh_tokens


async def _mfa_token(handlers: Injector) -> SecondFactorRequired:
    with pytest.raises(SecondFactorRequired) as required:
        await handlers.get(IssueAccessTokenHandler)(
            IssueAccessToken("alice", ALICE_PASSWORD, OWNER)
        )
    return required.value


async def test_a_passkey_is_the_second_step_after_the_password(
    handlers: Injector, alice: User, tokens: FakeTokens, uow: InMemoryUnitOfWorkFactory
) -> None:
    await add_passkey(handlers, alice)
    required = await _mfa_token(handlers)
    assert required.methods == ("passkey",)

    begin = handlers.get(BeginPasskeySecondStepHandler)
    ceremony = await begin(BeginPasskeySecondStep(required.mfa_token))
    assert ceremony.options["allowCredentials"] == [KEY.hex()]
    answer = PasskeyAnswer(ceremony.challenge_id, signed(ceremony.options, KEY, 0, alice.id))
    complete = handlers.get(CompleteSignInHandler)
    issued = await complete(CompleteSignIn(required.mfa_token, passkey=answer))

    assert tokens.verify(issued.access.token).amr == ("pwd", "hwk")
    assert uow.store.audit[-1].details == {"method": "passkey"}


async def test_a_second_steps_challenge_does_not_sign_in_alone_nor_the_other_way(
    handlers: Injector, alice: User
) -> None:
    await add_passkey(handlers, alice)
    required = await _mfa_token(handlers)
    second = await handlers.get(BeginPasskeySecondStepHandler)(
        BeginPasskeySecondStep(required.mfa_token)
    )
    with pytest.raises(InvalidCredentials):
        await handlers.get(SignInWithPasskeyHandler)(
            SignInWithPasskey(second.challenge_id, signed(second.options, KEY, 0, alice.id))
        )
    alone = await handlers.get(BeginPasskeySignInHandler)(BeginPasskeySignIn())
    answer = PasskeyAnswer(alone.challenge_id, signed(alone.options, KEY, 0, alice.id))
    with pytest.raises(InvalidCredentials):
        await handlers.get(CompleteSignInHandler)(
            CompleteSignIn(required.mfa_token, passkey=answer)
        )


async def test_an_account_without_passkeys_has_no_passkey_ceremony_to_begin(
    handlers: Injector, alice: User
) -> None:
    with pytest.raises(StateConflict):
        await handlers.get(BeginPasskeyStepUpHandler)(BeginPasskeyStepUp(alice.id))
