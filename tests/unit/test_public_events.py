"""Account events for other services, with in-memory fakes: which change tells them what, in
the transaction of the change."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from injector import Injector

from core.domain import Forbidden, User
from core.housekeeping.delete_rejected_accounts import DeleteRejectedAccounts
from core.public_events import to_json
from core.users.cancel_email_change import CancelEmailChange, CancelEmailChangeHandler
from core.users.confirm_email import ConfirmEmail, ConfirmEmailHandler
from core.users.delete_account import DeleteAccount, DeleteAccountHandler
from core.users.register import RegisterUser, RegisterUserHandler
from core.users.request_password_reset import RequestPasswordReset, RequestPasswordResetHandler
from core.users.reset_password import ResetPassword, ResetPasswordHandler
from core.users.update_profile import UpdateProfile, UpdateProfileHandler
from tests.unit.conftest import ALICE_PASSWORD
from tests.unit.fakes import FakeActionTokenSecrets, FixedClock, InMemoryUnitOfWorkFactory


def _published(uow: InMemoryUnitOfWorkFactory) -> list[str]:
    return [e.type for e in uow.store.public_events]


def _sent(uow: InMemoryUnitOfWorkFactory) -> list[dict[str, Any]]:
    """The messages as the relay sends them."""
    return [to_json(e) for e in uow.store.public_events]


def _token(uow: InMemoryUnitOfWorkFactory, event_type: str) -> str:
    event = [e for e in uow.store.events if e.type == event_type][-1]
    assert event.token_id is not None
    return FakeActionTokenSecrets().secret_for(event.token_id, event.email)


async def test_sign_up_and_confirmation_are_published(
    register: RegisterUserHandler, confirm: ConfirmEmailHandler, uow: InMemoryUnitOfWorkFactory
) -> None:
    user = await register(RegisterUser("erin", "erin@example.com", "a-good-password"))
    (created,) = _sent(uow)
    assert created["type"] == "user.created"
    assert (created["user_id"], created["username"], created["email"]) == (
        str(user.id),
        "erin",
        "erin@example.com",
    )

    await confirm(ConfirmEmail(_token(uow, "user.verification_requested")))

    assert _published(uow) == ["user.created", "user.email_confirmed"]
    assert _sent(uow)[-1]["email"] == "erin@example.com"


async def test_profile_changes_are_published_once_they_are_the_accounts(
    update: UpdateProfileHandler,
    confirm: ConfirmEmailHandler,
    uow: InMemoryUnitOfWorkFactory,
    alice: User,
) -> None:
    await update(
        UpdateProfile(
            alice.id,
            username="alice2",
            email="alice@example.org",
            password="a brand new password",
            current_password=ALICE_PASSWORD,
        )
    )
    updated, password = _sent(uow)
    assert (updated["type"], updated["changed"]) == ("user.updated", ["username"])
    assert password["type"] == "user.password_changed"

    await confirm(ConfirmEmail(_token(uow, "user.verification_requested")))

    moved, confirmed = _sent(uow)[2:]
    assert (moved["type"], moved["changed"], moved["email"]) == (
        "user.updated",
        ["email"],
        "alice@example.org",
    )
    assert (confirmed["type"], confirmed["email"]) == ("user.email_confirmed", "alice@example.org")


async def test_a_reset_and_a_reverted_address_change_the_password(
    forgot: RequestPasswordResetHandler,
    reset: ResetPasswordHandler,
    update: UpdateProfileHandler,
    confirm: ConfirmEmailHandler,
    cancel: CancelEmailChangeHandler,
    uow: InMemoryUnitOfWorkFactory,
    alice: User,
) -> None:
    await forgot(RequestPasswordReset("alice@example.com"))
    await reset(ResetPassword(_token(uow, "user.password_reset_requested"), "reset-to-this"))
    assert _published(uow) == ["user.password_changed"]

    ask = UpdateProfile(alice.id, email="mallory@example.org", current_password="reset-to-this")
    await update(ask)
    await cancel(CancelEmailChange(_token(uow, "user.email_change_requested")))
    assert _published(uow) == ["user.password_changed"], "a cancelled change changed nothing"

    await update(ask)
    await confirm(ConfirmEmail(_token(uow, "user.verification_requested")))
    await cancel(CancelEmailChange(_token(uow, "user.email_changed")))
    assert _published(uow)[-4:] == [
        "user.updated",
        "user.email_confirmed",
        "user.updated",  # back to the old address
        "user.password_changed",  # made unusable until a reset
    ]


async def test_deletions_are_published_and_refusals_publish_nothing(
    delete: DeleteAccountHandler,
    handlers: Injector,
    register: RegisterUserHandler,
    uow: InMemoryUnitOfWorkFactory,
    clock: FixedClock,
    alice: User,
) -> None:
    with pytest.raises(Forbidden):
        await delete(DeleteAccount(alice.id, "not it"))
    assert _published(uow) == []
    await delete(DeleteAccount(alice.id, ALICE_PASSWORD))
    assert _published(uow) == ["user.deleted"]
    assert uow.store.public_events[-1].user_id == alice.id

    bob = await register(RegisterUser("bob", "bob@example.com", "a-good-password"))
    uow.store.users[bob.id] = dataclasses.replace(
        bob, email_status="rejected", email_status_at=clock.now()
    )
    clock.advance(timedelta(days=31))
    housekeeping = dataclasses.replace(
        handlers.get(DeleteRejectedAccounts), rejected_for=timedelta(days=30)
    )
    assert await housekeeping() == 1
    assert _published(uow)[-1] == "user.deleted"
    assert uow.store.public_events[-1].user_id == bob.id
