"""Registration and the caller's own profile: read, change, delete."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from core.domain import Conflict, Forbidden, InvalidInput, Unauthenticated, User
from core.email_reputation.check import CheckEmailReputation, CheckEmailReputationHandler
from core.ports import EmailCheckMisconfigured, EmailCheckUnavailable
from core.users.confirm_email import ConfirmEmail, ConfirmEmailHandler
from core.users.delete_account import DeleteAccount, DeleteAccountHandler
from core.users.get_profile import GetProfile, GetProfileHandler
from core.users.register import RegisterUser, RegisterUserHandler
from core.users.update_profile import UpdateProfile, UpdateProfileHandler
from tests.unit.conftest import ALICE_PASSWORD, START
from tests.unit.fakes import (
    FakeActionTokenSecrets,
    FakeEmailReputation,
    FakeHasher,
    FakeJobs,
    FixedClock,
    InMemoryUnitOfWorkFactory,
)

# Registration


async def test_registration_stores_the_email_lower_case(
    register: RegisterUserHandler, uow: InMemoryUnitOfWorkFactory
) -> None:
    user = await register(RegisterUser("Bob", " Bob@Example.COM ", "long enough"))

    assert user.email == "bob@example.com"
    assert uow.store.users[user.id].email == "bob@example.com"
    assert uow.store.users[user.id].username == "Bob"
    assert not user.email_verified
    assert user.created_at == user.updated_at == START


@pytest.mark.parametrize(
    ("username", "email", "field"),
    [
        ("ALICE", "other@example.com", "username"),
        ("bob", "Alice@Example.COM", "email"),
    ],
)
async def test_registration_with_a_taken_name_in_another_case_conflicts_on_that_field(
    register: RegisterUserHandler,
    uow: InMemoryUnitOfWorkFactory,
    alice: User,
    username: str,
    email: str,
    field: str,
) -> None:
    with pytest.raises(Conflict) as raised:
        await register(RegisterUser(username, email, "long enough"))

    assert raised.value.field == field
    assert list(uow.store.users) == [alice.id]


@pytest.mark.parametrize(
    ("username", "password", "field"),
    [
        ("al", "long enough", "username"),
        ("bob smith", "long enough", "username"),
        ("b" * 33, "long enough", "username"),
        ("bob", "short", "password"),
        ("bob", "x" * 129, "password"),
    ],
)
async def test_registration_with_an_invalid_field_names_it_and_stores_nothing(
    register: RegisterUserHandler,
    uow: InMemoryUnitOfWorkFactory,
    username: str,
    password: str,
    field: str,
) -> None:
    with pytest.raises(InvalidInput) as raised:
        await register(RegisterUser(username, "bob@example.com", password))

    assert list(raised.value.errors) == [field]
    assert uow.store.users == {}
    assert uow.store.commits == 0


# Profile


async def test_profile_is_the_callers_own(profile: GetProfileHandler, alice: User) -> None:
    assert await profile(GetProfile(alice.id)) == alice


async def test_profile_of_a_user_who_is_gone_is_unauthenticated(
    profile: GetProfileHandler,
) -> None:
    with pytest.raises(Unauthenticated):
        await profile(GetProfile(uuid.uuid4()))


# Profile updates


async def test_username_change_is_stored_and_bumps_updated_at(
    update: UpdateProfileHandler, uow: InMemoryUnitOfWorkFactory, clock: FixedClock, alice: User
) -> None:
    clock.advance(timedelta(hours=1))

    updated = await update(UpdateProfile(alice.id, username="alice.w"))

    assert updated.changed == {"username"}
    assert uow.store.users[alice.id].username == "alice.w"
    assert uow.store.users[alice.id].updated_at == START + timedelta(hours=1)
    assert uow.store.users[alice.id].email_verified


async def test_username_can_change_only_in_case(
    update: UpdateProfileHandler, uow: InMemoryUnitOfWorkFactory, alice: User
) -> None:
    updated = await update(UpdateProfile(alice.id, username="Alice"))

    assert updated.changed == {"username"}
    assert uow.store.users[alice.id].username == "Alice"


async def test_email_change_is_pending_until_confirmed(
    update: UpdateProfileHandler, uow: InMemoryUnitOfWorkFactory, alice: User
) -> None:
    updated = await update(
        UpdateProfile(alice.id, email="New@Example.com", current_password=ALICE_PASSWORD)
    )

    assert updated.changed == {"pending_email", "pending_email_status"}
    stored = uow.store.users[alice.id]
    assert (stored.email, stored.email_verified) == ("alice@example.com", True)
    assert stored.pending_email == "new@example.com"


async def test_email_change_needs_the_current_password(
    update: UpdateProfileHandler, uow: InMemoryUnitOfWorkFactory, alice: User
) -> None:
    with pytest.raises(InvalidInput) as raised:
        await update(UpdateProfile(alice.id, email="new@example.com"))
    assert list(raised.value.errors) == ["current_password"]
    with pytest.raises(Forbidden):
        await update(
            UpdateProfile(alice.id, email="new@example.com", current_password="not my password")
        )
    assert uow.store.users[alice.id] == alice


async def test_changed_fields_are_all_listed(update: UpdateProfileHandler, alice: User) -> None:
    updated = await update(
        UpdateProfile(
            alice.id,
            username="alice.w",
            email="new@example.com",
            password="a new password",
            current_password=ALICE_PASSWORD,
        )
    )

    assert updated.changed == {
        "username",
        "pending_email",
        "pending_email_status",
        "password_hash",
        "token_version",
    }


async def test_password_change_lets_the_new_password_in_and_names_no_password(
    update: UpdateProfileHandler,
    uow: InMemoryUnitOfWorkFactory,
    hasher: FakeHasher,
    alice: User,
) -> None:
    updated = await update(
        UpdateProfile(alice.id, password="a new password", current_password=ALICE_PASSWORD)
    )

    # `changed` names the column, so whoever reports it never sees the password.
    assert updated.changed == {"password_hash", "token_version"}
    stored = uow.store.users[alice.id]
    assert await hasher.verify(stored.password_hash, "a new password")
    assert not await hasher.verify(stored.password_hash, ALICE_PASSWORD)


async def test_password_change_without_the_current_password_is_invalid(
    update: UpdateProfileHandler, uow: InMemoryUnitOfWorkFactory, alice: User
) -> None:
    with pytest.raises(InvalidInput) as raised:
        await update(UpdateProfile(alice.id, password="a new password"))

    assert list(raised.value.errors) == ["current_password"]
    assert uow.store.users[alice.id].password_hash == alice.password_hash


async def test_password_change_with_a_wrong_current_password_is_forbidden(
    update: UpdateProfileHandler, uow: InMemoryUnitOfWorkFactory, alice: User
) -> None:
    with pytest.raises(Forbidden):
        await update(
            UpdateProfile(
                alice.id,
                email="new@example.com",
                password="a new password",
                current_password="not my password",
            )
        )

    stored = uow.store.users[alice.id]
    assert stored.password_hash == alice.password_hash
    assert stored.email == "alice@example.com"
    # The one transaction records the failed password in the audit trail, and nothing else.
    assert uow.store.commits == 1
    assert [e.type for e in uow.store.audit] == ["sign_in.failed"]
    assert uow.store.events == []


async def test_update_to_the_same_values_changes_nothing(
    update: UpdateProfileHandler, uow: InMemoryUnitOfWorkFactory, clock: FixedClock, alice: User
) -> None:
    clock.advance(timedelta(hours=1))

    updated = await update(UpdateProfile(alice.id, username="alice", email="ALICE@example.com"))

    assert updated.changed == frozenset()
    assert updated.updated_at == START
    assert uow.store.users[alice.id].updated_at == START
    assert uow.store.users[alice.id].email_verified
    assert uow.store.commits == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [({"username": "BOB"}, "username"), ({"email": "Bob@Example.com"}, "email")],
)
async def test_update_to_a_name_someone_else_has_conflicts_and_changes_nothing(
    update: UpdateProfileHandler,
    register: RegisterUserHandler,
    uow: InMemoryUnitOfWorkFactory,
    alice: User,
    change: dict[str, str],
    field: str,
) -> None:
    await register(RegisterUser("bob", "bob@example.com", "long enough"))

    with pytest.raises(Conflict) as raised:
        await update(UpdateProfile(alice.id, current_password=ALICE_PASSWORD, **change))

    assert raised.value.field == field
    assert uow.store.users[alice.id] == alice


async def test_update_for_a_user_who_is_gone_is_unauthenticated(
    update: UpdateProfileHandler,
) -> None:
    with pytest.raises(Unauthenticated):
        await update(UpdateProfile(uuid.uuid4(), username="ghost"))


# Account deletion


async def test_deletion_with_a_wrong_password_is_forbidden_and_keeps_the_account(
    delete: DeleteAccountHandler, uow: InMemoryUnitOfWorkFactory, alice: User
) -> None:
    with pytest.raises(Forbidden):
        await delete(DeleteAccount(alice.id, "not my password"))

    assert uow.store.users[alice.id] == alice


async def test_deletion_with_the_password_removes_the_account(
    delete: DeleteAccountHandler,
    profile: GetProfileHandler,
    uow: InMemoryUnitOfWorkFactory,
    alice: User,
) -> None:
    await delete(DeleteAccount(alice.id, ALICE_PASSWORD))

    assert alice.id not in uow.store.users
    with pytest.raises(Unauthenticated):
        await profile(GetProfile(alice.id))


async def test_each_change_records_one_lifecycle_event(
    register: RegisterUserHandler,
    update: UpdateProfileHandler,
    delete: DeleteAccountHandler,
    uow: InMemoryUnitOfWorkFactory,
) -> None:
    user = await register(RegisterUser("erin", "Erin@Example.com", "a-good-password"))
    await update(UpdateProfile(user.id))  # nothing changes: no event
    await update(
        UpdateProfile(
            user.id,
            email="erin@example.org",
            password="another-password",
            current_password="a-good-password",
        )
    )
    await delete(DeleteAccount(user.id, "another-password"))

    mails = {"user.verification_requested", "user.email_change_requested"}
    lifecycle = [e for e in uow.store.events if e.type not in mails]
    created, updated, deleted = lifecycle
    # Sign-up and the new address each also ask for a confirmation mail; the current address
    # is told of the change it can cancel.
    confirmations = [e for e in uow.store.events if e.type == "user.verification_requested"]
    assert [e.email for e in confirmations] == ["erin@example.com", "erin@example.org"]
    (notice,) = [e for e in uow.store.events if e.type == "user.email_change_requested"]
    assert (notice.email, notice.new_email) == ("erin@example.com", "erin@example.org")
    assert (created.type, created.email) == ("user.created", "erin@example.com")
    assert updated.type == "user.updated"
    assert updated.changed == ("password",), "a pending address is no change yet"
    assert "another-password" not in repr(updated)
    assert (deleted.type, deleted.email) == ("user.deleted", "erin@example.com")


async def test_a_refused_change_records_no_event(
    register: RegisterUserHandler, uow: InMemoryUnitOfWorkFactory
) -> None:
    await register(RegisterUser("erin", "erin@example.com", "a-good-password"))
    with pytest.raises(Conflict):
        await register(RegisterUser("ERIN", "other@example.com", "a-good-password"))
    assert [e.type for e in uow.store.events] == ["user.created", "user.verification_requested"]


async def test_a_passing_failure_of_the_check_queues_a_background_check(
    register: RegisterUserHandler, reputation: FakeEmailReputation, jobs: FakeJobs
) -> None:
    reputation.verdicts["slow@example.com"] = EmailCheckUnavailable("timeout")
    user = await register(RegisterUser("slowpoke", "slow@example.com", "a-good-password"))
    assert user.email_status == "pending"
    assert jobs.verifications == [user.id]


async def test_a_misconfigured_check_queues_nothing(
    register: RegisterUserHandler, reputation: FakeEmailReputation, jobs: FakeJobs
) -> None:
    reputation.verdicts["a@example.com"] = EmailCheckMisconfigured("401")
    user = await register(RegisterUser("keyless", "a@example.com", "a-good-password"))
    assert user.email_status == "pending"
    assert jobs.verifications == []


async def test_a_refused_address_stores_nothing(
    register: RegisterUserHandler, reputation: FakeEmailReputation, uow: InMemoryUnitOfWorkFactory
) -> None:
    reputation.verdicts["gone@example.com"] = "undeliverable"
    with pytest.raises(InvalidInput) as error:
        await register(RegisterUser("goner", "gone@example.com", "a-good-password"))
    assert "email" in error.value.errors
    assert uow.store.users == {}
    assert uow.store.events == []


async def test_the_background_check_does_not_judge_an_address_changed_meanwhile(
    register: RegisterUserHandler,
    update: UpdateProfileHandler,
    reputation: FakeEmailReputation,
    check_reputation: CheckEmailReputationHandler,
    confirm: ConfirmEmailHandler,
    secrets: FakeActionTokenSecrets,
    uow: InMemoryUnitOfWorkFactory,
) -> None:
    reputation.verdicts["first@example.com"] = EmailCheckUnavailable("timeout")
    user = await register(RegisterUser("mover", "first@example.com", "a-good-password"))
    reputation.verdicts["first@example.com"] = "undeliverable"
    await update(
        UpdateProfile(user.id, email="second@example.com", current_password="a-good-password")
    )
    mailed = uow.store.events[-2]  # the confirmation mailed to the new address
    assert mailed.token_id is not None
    await confirm(ConfirmEmail(secrets.secret_for(mailed.token_id, mailed.email)))
    assert await check_reputation(CheckEmailReputation(user.id)) is None
    assert uow.store.users[user.id].email_status == "unchecked"
