"""Mailed single-use tokens with in-memory fakes: confirming the address and resetting the
password, and every way a token is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.domain import (
    ActionPurpose,
    ActionToken,
    AlreadyVerified,
    InvalidActionToken,
    InvalidInput,
    RateLimited,
    RefreshToken,
    Unauthenticated,
    User,
)
from core.events import EventType, UserEvent
from core.mail.lifecycle import compose
from core.users.confirm_email import ConfirmEmail, ConfirmEmailHandler
from core.users.register import RegisterUser, RegisterUserHandler
from core.users.request_password_reset import RequestPasswordReset, RequestPasswordResetHandler
from core.users.resend_verification import ResendVerification, ResendVerificationHandler
from core.users.reset_password import ResetPassword, ResetPasswordHandler
from core.users.update_profile import UpdateProfile, UpdateProfileHandler
from tests.unit.conftest import ALICE_PASSWORD
from tests.unit.fakes import (
    FakeActionTokenSecrets,
    FakeHasher,
    FixedClock,
    InMemoryUnitOfWorkFactory,
)


def _tokens(uow: InMemoryUnitOfWorkFactory, event_type: str) -> list[str]:
    """The secrets the mails of these events carry, derived from the token ids as the mailer
    derives them."""
    secrets = FakeActionTokenSecrets()
    return [
        secrets.secret_for(e.token_id, e.email)
        for e in uow.store.events
        if e.type == event_type and e.token_id
    ]


def _last_token(uow: InMemoryUnitOfWorkFactory, event_type: str) -> str:
    return _tokens(uow, event_type)[-1]


async def test_registration_mails_a_token_that_verifies_the_address(
    register: RegisterUserHandler, confirm: ConfirmEmailHandler, uow: InMemoryUnitOfWorkFactory
) -> None:
    user = await register(RegisterUser("erin", "erin@example.com", "a-good-password"))
    (token,) = _tokens(uow, "user.verification_requested")
    (stored,) = uow.store.action_tokens.values()
    assert token not in repr(stored)
    assert stored.expires_at - stored.created_at == timedelta(hours=24)

    await confirm(ConfirmEmail(token))

    assert uow.store.users[user.id].email_verified
    with pytest.raises(InvalidActionToken):
        await confirm(ConfirmEmail(token))  # single use


async def test_an_expired_or_forged_confirmation_token_is_refused(
    register: RegisterUserHandler,
    confirm: ConfirmEmailHandler,
    uow: InMemoryUnitOfWorkFactory,
    clock: FixedClock,
) -> None:
    user = await register(RegisterUser("erin", "erin@example.com", "a-good-password"))
    token = _last_token(uow, "user.verification_requested")
    with pytest.raises(InvalidActionToken):
        await confirm(ConfirmEmail("not-a-token"))
    clock.advance(timedelta(hours=24))
    with pytest.raises(InvalidActionToken):
        await confirm(ConfirmEmail(token))
    assert not uow.store.users[user.id].email_verified


async def test_a_token_for_an_address_changed_away_from_fails(
    register: RegisterUserHandler,
    update: UpdateProfileHandler,
    confirm: ConfirmEmailHandler,
    uow: InMemoryUnitOfWorkFactory,
) -> None:
    user = await register(RegisterUser("erin", "erin@example.com", "a-good-password"))
    old = _last_token(uow, "user.verification_requested")
    change = UpdateProfile(user.id, email="erin@example.org", current_password="a-good-password")
    await update(change)
    new = _last_token(uow, "user.verification_requested")

    await confirm(ConfirmEmail(new))
    stored = uow.store.users[user.id]
    assert (stored.email, stored.email_verified, stored.pending_email) == (
        "erin@example.org",
        True,
        None,
    )
    with pytest.raises(InvalidActionToken):
        await confirm(ConfirmEmail(old))


async def test_resend_invalidates_the_older_token_and_is_capped(
    register: RegisterUserHandler,
    resend: ResendVerificationHandler,
    confirm: ConfirmEmailHandler,
    uow: InMemoryUnitOfWorkFactory,
) -> None:
    user = await register(RegisterUser("erin", "erin@example.com", "a-good-password"))
    old = _last_token(uow, "user.verification_requested")
    await resend(ResendVerification(user.id, 0))
    new = _last_token(uow, "user.verification_requested")

    with pytest.raises(InvalidActionToken):
        await confirm(ConfirmEmail(old))
    await resend(ResendVerification(user.id, 0))
    # Sign-up and two resends: the address's quota of three mails an hour is spent.
    with pytest.raises(RateLimited) as limited:
        await resend(ResendVerification(user.id, 0))
    assert limited.value.retry_after > 0
    assert len(_tokens(uow, "user.verification_requested")) == 3
    with pytest.raises(InvalidActionToken):
        await confirm(ConfirmEmail(new))  # replaced by the later resends


async def test_resend_for_a_verified_or_stale_caller_is_refused(
    alice: User, resend: ResendVerificationHandler
) -> None:
    with pytest.raises(AlreadyVerified):
        await resend(ResendVerification(alice.id, 0))
    with pytest.raises(Unauthenticated):
        await resend(ResendVerification(alice.id, 1))


async def test_forgot_mails_a_reset_token_only_to_a_known_address(
    alice: User, forgot: RequestPasswordResetHandler, uow: InMemoryUnitOfWorkFactory
) -> None:
    assert await forgot(RequestPasswordReset("nobody@example.com")) is None
    assert await forgot(RequestPasswordReset("alice")) is None  # a username is no address
    assert uow.store.events == []

    await forgot(RequestPasswordReset("ALICE@example.com"))

    (event,) = uow.store.events
    assert (event.type, event.email) == ("user.password_reset_requested", "alice@example.com")
    (stored,) = uow.store.action_tokens.values()
    assert stored.expires_at - stored.created_at == timedelta(minutes=30)


async def test_reset_sets_the_password_and_retires_every_token(
    alice: User,
    forgot: RequestPasswordResetHandler,
    reset: ResetPasswordHandler,
    uow: InMemoryUnitOfWorkFactory,
    hasher: FakeHasher,
    clock: FixedClock,
) -> None:
    day = timedelta(days=1)
    _, session = RefreshToken.start(alice, now=clock.now(), ttl=day, family_lifetime=day)
    uow.store.refresh_tokens[session.id] = session
    await forgot(RequestPasswordReset("alice@example.com"))
    token = _last_token(uow, "user.password_reset_requested")

    await reset(ResetPassword(token, "brand-new-password"))

    user = uow.store.users[alice.id]
    assert await hasher.verify(user.password_hash, "brand-new-password")
    assert user.token_version == alice.token_version + 1
    assert uow.store.refresh_tokens[session.id].revoked_at is not None
    changed = uow.store.events[-1]
    assert (changed.type, changed.changed) == ("user.updated", ("password",))
    with pytest.raises(InvalidActionToken):
        await reset(ResetPassword(token, "yet-another-password"))


async def test_reset_refuses_wrong_purpose_expired_and_weak_passwords(
    register: RegisterUserHandler,
    forgot: RequestPasswordResetHandler,
    reset: ResetPasswordHandler,
    uow: InMemoryUnitOfWorkFactory,
    clock: FixedClock,
) -> None:
    await register(RegisterUser("erin", "erin@example.com", "a-good-password"))
    verify = _last_token(uow, "user.verification_requested")
    with pytest.raises(InvalidActionToken):
        await reset(ResetPassword(verify, "brand-new-password"))
    await forgot(RequestPasswordReset("erin@example.com"))
    token = _last_token(uow, "user.password_reset_requested")
    with pytest.raises(InvalidInput):
        await reset(ResetPassword(token, "short"))
    clock.advance(timedelta(minutes=30))
    with pytest.raises(InvalidActionToken):
        await reset(ResetPassword(token, "brand-new-password"))


async def test_a_newer_reset_request_leaves_the_older_link_working_until_one_is_used(
    alice: User,
    forgot: RequestPasswordResetHandler,
    reset: ResetPasswordHandler,
    uow: InMemoryUnitOfWorkFactory,
) -> None:
    # Else anyone could void the owner's link by asking for another one.
    await forgot(RequestPasswordReset("alice@example.com"))
    older = _last_token(uow, "user.password_reset_requested")
    await forgot(RequestPasswordReset("alice@example.com"))
    newer = _last_token(uow, "user.password_reset_requested")
    await reset(ResetPassword(older, "brand-new-password"))
    assert ALICE_PASSWORD not in uow.store.users[alice.id].password_hash
    with pytest.raises(InvalidActionToken):
        await reset(ResetPassword(newer, "another-new-password"))


def _token_event(user: User, purpose: ActionPurpose, event_type: EventType) -> UserEvent:
    token = ActionToken.issue(user, purpose, now=user.created_at, secret_for=lambda *_: "unused")
    return UserEvent.token_mailed(event_type, user, token, user.created_at)


def test_token_mails_carry_the_derived_secret_and_a_link(alice: User) -> None:
    event = _token_event(alice, "verify_email", "user.verification_requested")
    (mail,) = compose(event, lambda token_id, _: f"s3cr/t+{token_id}", "https://accounts.example/")
    assert mail.to == "alice@example.com"
    assert mail.subject == "Confirm your email address"
    assert f"s3cr/t+{event.token_id}" in mail.text
    assert f"https://accounts.example/verify-email?token=s3cr%2Ft%2B{event.token_id}" in mail.text
    assert UserEvent.from_json(event.to_json()) == event
    assert "s3cr" not in str(event.to_json()), "the event carries the token's id, not its secret"

    reset_event = _token_event(alice, "reset_password", "user.password_reset_requested")
    (mail,) = compose(reset_event, lambda *_: "abc")
    assert mail.subject == "Reset your password"
    assert "http://127.0.0.1:8000/reset-password?token=abc" in mail.text


def test_a_token_event_without_its_token_is_not_an_event(alice: User) -> None:
    data = _token_event(alice, "verify_email", "user.verification_requested").to_json()
    del data["token_id"]
    with pytest.raises(TypeError):
        UserEvent.from_json(data)
