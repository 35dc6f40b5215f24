"""Two-step sign-in in core: the second step of a sign-in, turning it on and off, and the second
factor that sensitive changes need, through the handlers as the web process wires them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

import pyotp
import pytest
from injector import Injector

from core.domain import (
    Forbidden,
    InvalidCredentials,
    InvalidInput,
    InvalidMfaToken,
    RateLimited,
    SecondFactorRequired,
    StateConflict,
    User,
)
from core.identities.link import LinkIdentity, LinkIdentityHandler
from core.identities.unlink import (
    LinkedIdentities,
    LinkedIdentitiesHandler,
    UnlinkIdentity,
    UnlinkIdentityHandler,
)
from core.mfa.complete_sign_in import CompleteSignIn, CompleteSignInHandler
from core.mfa.confirm_totp import ConfirmTotp, ConfirmTotpHandler
from core.mfa.disable_totp import DisableTotp, DisableTotpHandler
from core.mfa.get_status import GetMfaStatus, GetMfaStatusHandler, MfaStatus
from core.mfa.start_totp import StartTotp, StartTotpHandler
from core.tokens.issue_access_token import IssueAccessToken, IssueAccessTokenHandler
from core.users.delete_account import DeleteAccount, DeleteAccountHandler
from core.users.update_profile import UpdateProfile, UpdateProfileHandler
from tests.unit.conftest import ALICE_PASSWORD
from tests.unit.fakes import (
    FakeTokens,
    FixedClock,
    InMemoryFamiliarAddresses,
    InMemoryRateLimiter,
    InMemoryUnitOfWorkFactory,
)
from tests.unit.test_provider_sign_in import identity

OWNER = "192.0.2.1"
STEP = timedelta(seconds=30)


@dataclass
class Enrolled:
    secret: str
    recovery_codes: list[str]
    clock: FixedClock

    def code(self, steps: int = 0) -> str:
        return pyotp.TOTP(self.secret).at(self.clock.now() + steps * STEP)

    def wrong_code(self) -> str:
        return f"{(int(self.code()) + 1) % 1_000_000:06d}"


@pytest.fixture
async def enrolled(handlers: Injector, alice: User, clock: FixedClock) -> Enrolled:
    """Alice with two-step sign-in on; the clock a step past the code that confirmed it."""
    started = await handlers.get(StartTotpHandler)(StartTotp(alice.id, ALICE_PASSWORD))
    confirm = handlers.get(ConfirmTotpHandler)
    codes = await confirm(ConfirmTotp(alice.id, pyotp.TOTP(started.secret).at(clock.now())))
    clock.advance(STEP)
    return Enrolled(started.secret, codes, clock)


async def _mfa_token(handlers: Injector, client_ip: str | None = OWNER) -> str:
    with pytest.raises(SecondFactorRequired) as required:
        await handlers.get(IssueAccessTokenHandler)(
            IssueAccessToken("alice", ALICE_PASSWORD, client_ip)
        )
    assert required.value.methods == ("totp", "recovery_code")
    return required.value.mfa_token


async def test_the_password_alone_gets_an_mfa_token_and_no_session(
    handlers: Injector,
    enrolled: Enrolled,
    uow: InMemoryUnitOfWorkFactory,
    limiter: InMemoryRateLimiter,
    familiar: InMemoryFamiliarAddresses,
) -> None:
    await _mfa_token(handlers)

    assert not uow.store.refresh_tokens
    assert len(uow.store.mfa_challenges) == 1
    # The right password is no failure, but the network is not familiar on its strength.
    assert all(not hits for hits in limiter.hits.values())
    assert not familiar.known


async def test_the_second_step_signs_in_once_and_says_how(
    handlers: Injector,
    enrolled: Enrolled,
    tokens: FakeTokens,
    familiar: InMemoryFamiliarAddresses,
) -> None:
    complete = handlers.get(CompleteSignInHandler)
    mfa_token = await _mfa_token(handlers)

    issued = await complete(CompleteSignIn(mfa_token, code=enrolled.code(), client_ip=OWNER))

    assert tokens.verify(issued.access.token).amr == ("pwd", "otp")
    assert familiar.known
    with pytest.raises(InvalidMfaToken):
        await complete(CompleteSignIn(mfa_token, code=enrolled.code(1), client_ip=OWNER))


async def test_a_code_is_accepted_once_within_its_window(
    handlers: Injector, enrolled: Enrolled
) -> None:
    complete = handlers.get(CompleteSignInHandler)
    code = enrolled.code()
    await complete(CompleteSignIn(await _mfa_token(handlers), code=code))

    with pytest.raises(InvalidCredentials):
        await complete(CompleteSignIn(await _mfa_token(handlers), code=code))
    # An older step's code is refused too once a newer one was accepted.
    with pytest.raises(InvalidCredentials):
        await complete(CompleteSignIn(await _mfa_token(handlers), code=enrolled.code(-1)))


async def test_wrong_codes_lock_the_second_step_like_wrong_passwords(
    handlers: Injector, enrolled: Enrolled
) -> None:
    complete = handlers.get(CompleteSignInHandler)
    mfa_token = await _mfa_token(handlers, client_ip=None)
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await complete(CompleteSignIn(mfa_token, code=enrolled.wrong_code()))

    with pytest.raises(RateLimited):
        await complete(CompleteSignIn(mfa_token, code=enrolled.code()))


async def test_an_mfa_token_expires(
    handlers: Injector, enrolled: Enrolled, clock: FixedClock
) -> None:
    mfa_token = await _mfa_token(handlers)
    clock.advance(timedelta(minutes=5))

    with pytest.raises(InvalidMfaToken):
        await handlers.get(CompleteSignInHandler)(CompleteSignIn(mfa_token, code=enrolled.code()))


async def test_a_recovery_code_signs_in_once_and_the_owner_is_told(
    handlers: Injector, enrolled: Enrolled, uow: InMemoryUnitOfWorkFactory, tokens: FakeTokens
) -> None:
    complete = handlers.get(CompleteSignInHandler)
    code = enrolled.recovery_codes[3].upper()

    issued = await complete(CompleteSignIn(await _mfa_token(handlers), recovery_code=code))

    assert tokens.verify(issued.access.token).amr == ("pwd", "rcv")
    (notice,) = [e for e in uow.store.events if e.type == "user.recovery_code_used"]
    assert notice.recovery_codes_left == 9
    with pytest.raises(InvalidCredentials):
        await complete(CompleteSignIn(await _mfa_token(handlers), recovery_code=code))


async def test_a_sensitive_change_without_the_code_is_invalid_and_costs_nothing(
    handlers: Injector, enrolled: Enrolled, alice: User, limiter: InMemoryRateLimiter
) -> None:
    update = handlers.get(UpdateProfileHandler)
    limiter.hits.clear()

    with pytest.raises(InvalidInput) as invalid:
        await update(
            UpdateProfile(alice.id, password="a new passphrase", current_password=ALICE_PASSWORD)
        )

    assert list(invalid.value.errors) == ["code"]
    assert not any(limiter.hits.values())


async def test_a_sensitive_change_with_a_wrong_code_is_forbidden(
    handlers: Injector, enrolled: Enrolled, alice: User, uow: InMemoryUnitOfWorkFactory
) -> None:
    with pytest.raises(Forbidden):
        await handlers.get(DeleteAccountHandler)(
            DeleteAccount(alice.id, ALICE_PASSWORD, code=enrolled.wrong_code())
        )
    assert alice.id in uow.store.users


async def test_a_recovery_code_authorises_one_change(
    handlers: Injector, enrolled: Enrolled, alice: User, uow: InMemoryUnitOfWorkFactory
) -> None:
    update = handlers.get(UpdateProfileHandler)
    code = enrolled.recovery_codes[0]
    change = UpdateProfile(
        alice.id, email="new@example.com", current_password=ALICE_PASSWORD, recovery_code=code
    )

    await update(change)

    assert uow.store.users[alice.id].pending_email == "new@example.com"
    assert len(uow.store.recovery_codes[alice.id]) == 9
    with pytest.raises(Forbidden):
        await update(change)


async def test_turning_it_on_needs_a_right_code_and_turning_it_off_the_password_and_a_code(
    handlers: Injector, alice: User, clock: FixedClock, uow: InMemoryUnitOfWorkFactory
) -> None:
    status = handlers.get(GetMfaStatusHandler)
    started = await handlers.get(StartTotpHandler)(StartTotp(alice.id, ALICE_PASSWORD))
    enrolled = Enrolled(started.secret, [], clock)
    with pytest.raises(Forbidden):
        await handlers.get(ConfirmTotpHandler)(ConfirmTotp(alice.id, enrolled.wrong_code()))
    assert not (await status(GetMfaStatus(alice.id))).totp
    await handlers.get(ConfirmTotpHandler)(ConfirmTotp(alice.id, enrolled.code()))
    assert await status(GetMfaStatus(alice.id)) == MfaStatus(totp=True, recovery_codes_left=10)
    with pytest.raises(StateConflict):
        await handlers.get(StartTotpHandler)(StartTotp(alice.id, ALICE_PASSWORD))
    clock.advance(STEP)
    disable = handlers.get(DisableTotpHandler)
    with pytest.raises(Forbidden):
        await disable(DisableTotp(alice.id, "not the password", code=enrolled.code()))

    await disable(DisableTotp(alice.id, ALICE_PASSWORD, code=enrolled.code()))

    assert not (await status(GetMfaStatus(alice.id))).totp
    assert alice.id not in uow.store.totp
    assert [e.type for e in uow.store.events][-2:] == ["user.mfa_enabled", "user.mfa_disabled"]


async def test_a_secret_the_key_no_longer_opens_leaves_the_recovery_codes(
    handlers: Injector, enrolled: Enrolled, alice: User, uow: InMemoryUnitOfWorkFactory
) -> None:
    stored = uow.store.totp[alice.id]
    uow.store.totp[alice.id] = replace(stored, sealed_secret=b"sealed with a replaced key")
    complete = handlers.get(CompleteSignInHandler)

    with pytest.raises(InvalidCredentials):
        await complete(CompleteSignIn(await _mfa_token(handlers), code=enrolled.code()))
    code = enrolled.recovery_codes[0]
    assert await complete(CompleteSignIn(await _mfa_token(handlers), recovery_code=code))


async def test_the_password_given_to_link_a_provider_forgives_no_wrong_codes(
    handlers: Injector,
    enrolled: Enrolled,
    alice: User,
    limiter: InMemoryRateLimiter,
    familiar: InMemoryFamiliarAddresses,
) -> None:
    """Someone with the password and a session of the account (its cookie, say) guessing codes
    from their own network: linking or unlinking a provider with the password must not wipe
    their failed second steps, nor make their network familiar, as a finished sign-in would."""
    stranger = "203.0.113.9"
    mfa_token = await _mfa_token(handlers, stranger)
    with pytest.raises(InvalidCredentials):
        await handlers.get(CompleteSignInHandler)(
            CompleteSignIn(mfa_token, code=enrolled.wrong_code(), client_ip=stranger)
        )
    failures = {key: len(hits) for key, hits in limiter.hits.items() if hits}
    assert failures

    link = handlers.get(LinkIdentityHandler)
    await link(
        LinkIdentity(alice.id, identity("a1"), current_password=ALICE_PASSWORD, client_ip=stranger)
    )
    (linked,) = await handlers.get(LinkedIdentitiesHandler)(LinkedIdentities(alice.id))
    unlink = UnlinkIdentity(alice.id, linked.id, ALICE_PASSWORD, client_ip=stranger)
    await handlers.get(UnlinkIdentityHandler)(unlink)

    assert {key: len(hits) for key, hits in limiter.hits.items() if hits} == failures
    assert not familiar.known
