"""Logging in: a password for an access token."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.domain import InvalidCredentials, RateLimited, User
from core.tokens.issue_access_token import IssueAccessToken, IssueAccessTokenHandler
from tests.unit.conftest import ALICE_PASSWORD
from tests.unit.fakes import (
    FakeHasher,
    FakeTokens,
    FixedClock,
    InMemoryUnitOfWorkFactory,
)


@pytest.mark.parametrize("name", ["alice", "ALICE", "alice@example.com", "Alice@Example.COM"])
async def test_login_by_username_or_email_in_any_case_issues_a_token_for_the_user(
    login: IssueAccessTokenHandler, tokens: FakeTokens, alice: User, name: str
) -> None:
    issued = await login(IssueAccessToken(name, ALICE_PASSWORD))

    assert tokens.verify(issued.access.token).user_id == alice.id
    assert issued.access.expires_in == 900


async def test_login_with_a_wrong_password_is_refused(
    login: IssueAccessTokenHandler, alice: User
) -> None:
    with pytest.raises(InvalidCredentials):
        await login(IssueAccessToken("alice", "not my password"))


async def test_login_with_an_unknown_name_fails_like_a_wrong_password_and_spends_a_verification(
    login: IssueAccessTokenHandler, hasher: FakeHasher, alice: User
) -> None:
    with pytest.raises(InvalidCredentials) as wrong_password:
        await login(IssueAccessToken("alice", "not my password"))
    assert hasher.dummy_verifications == 0

    with pytest.raises(InvalidCredentials) as unknown:
        await login(IssueAccessToken("nobody", "not my password"))

    assert unknown.value.detail == wrong_password.value.detail
    assert hasher.dummy_verifications == 1


async def test_login_upgrades_an_outdated_hash_without_touching_the_profile(
    login: IssueAccessTokenHandler,
    uow: InMemoryUnitOfWorkFactory,
    hasher: FakeHasher,
    alice: User,
) -> None:
    hasher.params = "v2"

    await login(IssueAccessToken("alice", ALICE_PASSWORD))

    stored = uow.store.users[alice.id]
    assert stored.password_hash == f"fake$v2${ALICE_PASSWORD}"
    assert stored.updated_at == alice.updated_at
    assert (stored.username, stored.email, stored.email_verified) == (
        alice.username,
        alice.email,
        alice.email_verified,
    )


async def test_login_with_a_current_hash_leaves_the_user_as_it_was(
    login: IssueAccessTokenHandler, uow: InMemoryUnitOfWorkFactory, alice: User
) -> None:
    await login(IssueAccessToken("alice", ALICE_PASSWORD))

    assert uow.store.users[alice.id] == alice


OWNER = "192.0.2.1"
STRANGER = "198.51.100.7"


async def _fail(
    login: IssueAccessTokenHandler, name: str, times: int, client_ip: str = STRANGER
) -> None:
    for _ in range(times):
        with pytest.raises(InvalidCredentials):
            await login(IssueAccessToken(name, "wrong password", client_ip))


async def test_five_failures_lock_the_account_even_for_the_right_password(
    login: IssueAccessTokenHandler, alice: User, clock: FixedClock
) -> None:
    await _fail(login, "alice", 5)
    with pytest.raises(RateLimited) as locked:
        await login(IssueAccessToken("alice@example.com", ALICE_PASSWORD))
    assert locked.value.retry_after == 900

    clock.advance(timedelta(seconds=901))
    assert await login(IssueAccessToken("alice", ALICE_PASSWORD))


async def test_unknown_logins_are_locked_out_the_same_way(
    login: IssueAccessTokenHandler, hasher: FakeHasher
) -> None:
    await _fail(login, "nobody", 5)
    with pytest.raises(RateLimited):
        await login(IssueAccessToken("NOBODY", "anything"))
    assert hasher.dummy_verifications == 5


async def test_a_successful_login_clears_earlier_failures_of_its_network(
    login: IssueAccessTokenHandler, alice: User
) -> None:
    await _fail(login, "alice", 4, OWNER)
    await login(IssueAccessToken("alice", ALICE_PASSWORD, OWNER))
    await _fail(login, "alice", 5, OWNER)


async def test_strangers_never_lock_the_owner_out_of_a_familiar_network(
    login: IssueAccessTokenHandler, alice: User
) -> None:
    await login(IssueAccessToken("alice", ALICE_PASSWORD, OWNER))
    await _fail(login, "alice", 5, STRANGER)
    with pytest.raises(RateLimited):
        await login(IssueAccessToken("alice", ALICE_PASSWORD, STRANGER))
    with pytest.raises(RateLimited):
        await login(IssueAccessToken("alice", ALICE_PASSWORD, "203.0.113.9"))  # a new network
    assert await login(IssueAccessToken("alice", ALICE_PASSWORD, OWNER))


async def test_an_ipv6_client_is_judged_by_its_64(
    login: IssueAccessTokenHandler, alice: User
) -> None:
    assert await login(IssueAccessToken("alice", ALICE_PASSWORD, "2001:db8::1"))
    await _fail(login, "alice", 5, "2001:db8::2")
    with pytest.raises(RateLimited):
        await login(IssueAccessToken("alice", ALICE_PASSWORD, "2001:db8::3"))
    assert await login(IssueAccessToken("alice", ALICE_PASSWORD, OWNER))
