"""The audit trail with in-memory fakes: each security event is recorded in the transaction of
what it records, with the client's address, its device and details that hold no secret; a lock
and a stolen refresh token are also mailed to the owner, once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from core.audit.events import SecurityEvent
from core.domain import Forbidden, InvalidCredentials, InvalidRefreshToken, RateLimited, User
from core.tokens.issue_access_token import IssueAccessToken, IssueAccessTokenHandler
from core.tokens.refresh_access_token import RefreshAccessToken, RefreshAccessTokenHandler
from core.users.cancel_email_change import CancelEmailChange, CancelEmailChangeHandler
from core.users.confirm_email import ConfirmEmail, ConfirmEmailHandler
from core.users.delete_account import DeleteAccount, DeleteAccountHandler
from core.users.request_password_reset import RequestPasswordReset, RequestPasswordResetHandler
from core.users.reset_password import ResetPassword, ResetPasswordHandler
from core.users.update_profile import UpdateProfile, UpdateProfileHandler
from tests.unit.conftest import ALICE_PASSWORD
from tests.unit.fakes import FakeActionTokenSecrets, FixedClock, InMemoryUnitOfWorkFactory

IP = "203.0.113.7"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
CLIENT = {"client_ip": IP, "user_agent": FIREFOX}


@dataclass(frozen=True)
class _Trail:
    uow: InMemoryUnitOfWorkFactory

    def types(self) -> list[str]:
        return [e.type for e in self.uow.store.audit]

    def last(self, type: str) -> SecurityEvent:
        return [e for e in self.uow.store.audit if e.type == type][-1]

    def mailed(self, type: str) -> int:
        return sum(1 for e in self.uow.store.events if e.type == type)

    def token(self, event_type: str) -> str:
        event = [e for e in self.uow.store.events if e.type == event_type][-1]
        assert event.token_id is not None
        return FakeActionTokenSecrets().secret_for(event.token_id, event.email)


@pytest.fixture
def trail(uow: InMemoryUnitOfWorkFactory) -> _Trail:
    return _Trail(uow)


async def test_a_sign_in_is_recorded_with_the_clients_address_and_device(
    login: IssueAccessTokenHandler, trail: _Trail, clock: FixedClock, alice: User
) -> None:
    await login(IssueAccessToken("alice", ALICE_PASSWORD, **CLIENT))

    (event,) = trail.uow.store.audit
    assert (event.type, event.user_id, event.at) == ("sign_in.succeeded", alice.id, clock.now())
    assert (event.ip, event.device) == (IP, "Firefox on Windows")
    assert event.details == {"method": "password"}


async def test_a_wrong_password_is_recorded_and_an_unknown_name_is_not(
    login: IssueAccessTokenHandler, trail: _Trail, alice: User
) -> None:
    with pytest.raises(InvalidCredentials):
        await login(IssueAccessToken("nobody", ALICE_PASSWORD, **CLIENT))
    assert trail.uow.store.audit == []

    with pytest.raises(InvalidCredentials):
        await login(IssueAccessToken("alice", "not her password", **CLIENT))
    failed = trail.last("sign_in.failed")
    assert failed.details == {"reason": "wrong_password", "during": "sign_in"}
    assert (failed.user_id, failed.ip, failed.device) == (alice.id, IP, "Firefox on Windows")


async def test_a_lock_is_recorded_each_time_and_mailed_once_per_window(
    login: IssueAccessTokenHandler, trail: _Trail, clock: FixedClock, alice: User
) -> None:
    async def guess() -> None:
        with pytest.raises(InvalidCredentials):
            await login(IssueAccessToken("alice", "a guess", **CLIENT))

    for _ in range(4):  # LOGIN_LOCKOUT is 5/900
        await guess()
        clock.advance(timedelta(seconds=100))
    assert "account.locked" not in trail.types()
    await guess()  # the fifth spends the budget
    locked = trail.last("account.locked")
    assert locked.details == {"locked_for_seconds": 500}  # the first guess leaves then
    assert trail.mailed("user.locked_out") == 1
    with pytest.raises(RateLimited):
        await login(IssueAccessToken("alice", "a guess", **CLIENT))
    assert trail.types().count("sign_in.failed") == 5, "a refused attempt checks no password"

    clock.advance(timedelta(seconds=501))  # one slot frees, and the next guess locks again
    await guess()
    assert trail.types().count("account.locked") == 2
    assert trail.mailed("user.locked_out") == 1, "the owner heard of it already"


async def test_password_and_address_changes_are_recorded(
    update: UpdateProfileHandler,
    confirm: ConfirmEmailHandler,
    trail: _Trail,
    alice: User,
) -> None:
    await update(
        UpdateProfile(
            alice.id,
            email="alice@example.org",
            password="a brand new password",
            current_password=ALICE_PASSWORD,
            **CLIENT,
        )
    )
    assert trail.types() == ["password.changed", "email_change.requested"]
    assert trail.last("password.changed").details == {}
    assert trail.last("email_change.requested").details == {"new_email": "alice@example.org"}

    await confirm(ConfirmEmail(trail.token("user.verification_requested"), **CLIENT))
    confirmed = trail.last("email_change.confirmed")
    assert confirmed.details == {
        "previous_email": "alice@example.com",
        "new_email": "alice@example.org",
    }
    assert confirmed.ip == IP

    with pytest.raises(Forbidden):
        await update(UpdateProfile(alice.id, password="another one!", current_password="no"))
    assert trail.last("sign_in.failed").details == {
        "reason": "wrong_password",
        "during": "profile_change",
    }


async def test_a_cancelled_and_a_reverted_email_change_are_recorded(
    update: UpdateProfileHandler,
    confirm: ConfirmEmailHandler,
    cancel: CancelEmailChangeHandler,
    trail: _Trail,
    alice: User,
) -> None:
    ask = UpdateProfile(alice.id, email="mallory@example.org", current_password=ALICE_PASSWORD)
    await update(ask)
    await cancel(CancelEmailChange(trail.token("user.email_change_requested"), **CLIENT))
    assert trail.last("email_change.cancelled").details == {
        "cancelled_email": "mallory@example.org"
    }

    await update(ask)
    await confirm(ConfirmEmail(trail.token("user.verification_requested")))
    await cancel(CancelEmailChange(trail.token("user.email_changed"), **CLIENT))
    reverted = trail.last("email_change.reverted")
    assert reverted.details == {
        "restored_email": "alice@example.com",
        "replaced_email": "mallory@example.org",
    }
    assert (reverted.ip, reverted.device) == (IP, "Firefox on Windows")


async def test_a_reset_is_recorded(
    forgot: RequestPasswordResetHandler, reset: ResetPasswordHandler, trail: _Trail, alice: User
) -> None:
    await forgot(RequestPasswordReset("alice@example.com"))
    await reset(
        ResetPassword(trail.token("user.password_reset_requested"), "reset-to-this", **CLIENT)
    )
    assert trail.types() == ["password.reset"]
    assert trail.last("password.reset").ip == IP


async def test_a_refresh_token_used_twice_is_recorded_and_mailed_once(
    login: IssueAccessTokenHandler,
    refresh: RefreshAccessTokenHandler,
    trail: _Trail,
    clock: FixedClock,
    alice: User,
) -> None:
    issued = await login(IssueAccessToken("alice", ALICE_PASSWORD))
    await refresh(RefreshAccessToken(issued.refresh_token))
    clock.advance(timedelta(minutes=1))  # past the grace period

    for _ in range(2):  # the second replay finds the family ended already
        with pytest.raises(InvalidRefreshToken):
            await refresh(RefreshAccessToken(issued.refresh_token, **CLIENT))

    (reuse,) = [e for e in trail.uow.store.audit if e.type == "refresh_token.reuse_detected"]
    assert reuse.details == {"session_signed_in_at": "2026-01-01T12:00:00+00:00"}
    assert (reuse.ip, reuse.device) == (IP, "Firefox on Windows")
    assert trail.mailed("user.refresh_token_reused") == 1


async def test_a_deletion_is_recorded_and_outlives_the_account(
    delete: DeleteAccountHandler, trail: _Trail, alice: User
) -> None:
    with pytest.raises(Forbidden):
        await delete(DeleteAccount(alice.id, "not it", **CLIENT))
    assert trail.last("sign_in.failed").details["during"] == "account_deletion"

    await delete(DeleteAccount(alice.id, ALICE_PASSWORD, **CLIENT))

    assert alice.id not in trail.uow.store.users
    assert trail.types()[-1] == "account.deleted"
    assert trail.last("account.deleted").ip == IP


async def test_no_event_holds_a_password_or_a_token(
    login: IssueAccessTokenHandler,
    refresh: RefreshAccessTokenHandler,
    update: UpdateProfileHandler,
    trail: _Trail,
    clock: FixedClock,
    alice: User,
) -> None:
    issued = await login(IssueAccessToken("alice", ALICE_PASSWORD, **CLIENT))
    await refresh(RefreshAccessToken(issued.refresh_token))
    clock.advance(timedelta(minutes=1))
    with pytest.raises(InvalidRefreshToken):
        await refresh(RefreshAccessToken(issued.refresh_token))
    await update(
        UpdateProfile(
            alice.id,
            email="a@example.org",
            password="new password!",
            current_password=ALICE_PASSWORD,
        )
    )

    recorded = repr(trail.uow.store.audit)
    secrets = [ALICE_PASSWORD, "new password!", issued.refresh_token, issued.access.token]
    secrets += [trail.token("user.verification_requested"), "fake$"]
    assert not [s for s in secrets if s in recorded]
