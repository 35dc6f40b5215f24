"""Logging in: a password for an access token."""

from __future__ import annotations

import pytest

from core.domain import InvalidCredentials, User
from core.tokens.issue_access_token import IssueAccessToken, IssueAccessTokenHandler
from tests.unit.conftest import ALICE_PASSWORD
from tests.unit.fakes import FakeHasher, FakeTokens, InMemoryUnitOfWorkFactory


@pytest.fixture
def login(
    uow: InMemoryUnitOfWorkFactory, hasher: FakeHasher, tokens: FakeTokens
) -> IssueAccessTokenHandler:
    return IssueAccessTokenHandler(uow=uow, hasher=hasher, tokens=tokens)


@pytest.mark.parametrize("name", ["alice", "ALICE", "alice@example.com", "Alice@Example.COM"])
async def test_login_by_username_or_email_in_any_case_issues_a_token_for_the_user(
    login: IssueAccessTokenHandler, tokens: FakeTokens, alice: User, name: str
) -> None:
    issued = await login(IssueAccessToken(name, ALICE_PASSWORD))

    assert tokens.subject(issued.token) == alice.id
    assert issued.expires_in == 900


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


async def test_login_with_a_current_hash_writes_nothing(
    login: IssueAccessTokenHandler, uow: InMemoryUnitOfWorkFactory, alice: User
) -> None:
    await login(IssueAccessToken("alice", ALICE_PASSWORD))

    assert uow.store.users[alice.id].password_hash == alice.password_hash
    assert uow.store.commits == 0
