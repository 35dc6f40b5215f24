"""Administration in core, on fakes: who is an administrator, what disabling an account does to
its sign-ins and sessions, and the list's cursor."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from injector import Injector

from adapters.keys import new_key
from adapters.tokens import JwtTokens, load_keys
from core.admin.access import AuthorizeAdmin
from core.admin.account_access import AccountAccessChange, DisableUserHandler, EnableUserHandler
from core.admin.actions import Actor
from core.admin.search_users import SearchUsers, SearchUsersHandler, decode_cursor
from core.domain import (
    ADMIN_ROLE,
    Forbidden,
    InvalidInput,
    InvalidRefreshToken,
    Unauthenticated,
    User,
    token_holder,
)
from core.ports import AccessClaims
from core.tokens.issue_access_token import IssueAccessToken, IssueAccessTokenHandler
from core.tokens.refresh_access_token import RefreshAccessToken, RefreshAccessTokenHandler
from tests.unit.conftest import ALICE_PASSWORD, START
from tests.unit.fakes import FakeTokens, FixedClock, InMemoryUnitOfWorkFactory

OPERATOR = Actor.operator()


def test_status_is_the_first_that_holds(alice: User) -> None:
    assert alice.status == "active"
    assert replace(alice, email_verified=False).status == "unconfirmed"
    assert replace(alice, email_status="rejected").status == "rejected"
    disabled = replace(alice, email_status="rejected", disabled_at=START)
    assert disabled.status == "disabled"


def test_disabling_ends_every_session_once(alice: User) -> None:
    disabled = alice.with_disabled(START)
    assert disabled.token_version == alice.token_version + 1
    assert disabled.changed == {"disabled_at", "token_version"}
    assert disabled.with_disabled(START + timedelta(hours=1)).changed == frozenset()
    with pytest.raises(Unauthenticated):
        token_holder(disabled, disabled.token_version)
    enabled = disabled.with_enabled(START)
    assert enabled.token_version == disabled.token_version
    assert token_holder(enabled, enabled.token_version) == enabled


async def test_a_disabled_account_cannot_sign_in_or_refresh(
    handlers: Injector, login: IssueAccessTokenHandler, alice: User
) -> None:
    issued = await login(IssueAccessToken("alice", ALICE_PASSWORD))
    await handlers.get(DisableUserHandler)(AccountAccessChange(OPERATOR, alice.id))

    with pytest.raises(Forbidden, match="Account disabled"):
        await login(IssueAccessToken("alice", ALICE_PASSWORD))
    with pytest.raises(InvalidRefreshToken):
        await handlers.get(RefreshAccessTokenHandler)(RefreshAccessToken(issued.refresh_token))

    await handlers.get(EnableUserHandler)(AccountAccessChange(OPERATOR, alice.id))
    assert await login(IssueAccessToken("alice", ALICE_PASSWORD))


async def test_an_administrator_needs_the_role_in_the_token_and_the_row(
    handlers: Injector, uow: InMemoryUnitOfWorkFactory, alice: User, tokens: FakeTokens
) -> None:
    authorize = handlers.get(AuthorizeAdmin)
    claimed = AccessClaims(alice.id, alice.token_version, START, roles=frozenset({ADMIN_ROLE}))
    with pytest.raises(Forbidden):
        await authorize(claimed)  # the row has no role
    uow.store.users[alice.id] = replace(alice, roles=frozenset({ADMIN_ROLE}))
    assert (await authorize(claimed)).id == alice.id
    with pytest.raises(Forbidden):
        await authorize(replace(claimed, roles=frozenset()))  # the token has none
    with pytest.raises(Unauthenticated):
        await authorize(replace(claimed, token_version=alice.token_version - 1))


async def test_the_sign_in_of_an_administrator_carries_the_role(
    handlers: Injector, login: IssueAccessTokenHandler, uow: InMemoryUnitOfWorkFactory,
    alice: User, tokens: FakeTokens,
) -> None:  # fmt: skip
    uow.store.users[alice.id] = replace(alice, roles=frozenset({ADMIN_ROLE}))
    issued = await login(IssueAccessToken("alice", ALICE_PASSWORD))
    assert tokens.verify(issued.access.token).roles == {ADMIN_ROLE}


def test_jwt_access_tokens_carry_roles_only_when_there_are_some(tmp_path) -> None:  # type: ignore[no-untyped-def]
    new_key(tmp_path, START)
    tokens = JwtTokens(
        load_keys(tmp_path), issuer="i", audience="a", ttl_seconds=900, clock=FixedClock(START)
    )
    admin = tokens.issue(uuid.uuid4(), 0, START, roles=frozenset({ADMIN_ROLE})).token
    assert tokens.verify(admin).roles == {ADMIN_ROLE}
    assert tokens.verify(tokens.issue(uuid.uuid4(), 0, START).token).roles == frozenset()


async def test_pages_follow_one_another_by_cursor(
    handlers: Injector, uow: InMemoryUnitOfWorkFactory, alice: User
) -> None:
    for n in range(5):
        user = User.register(
            username=f"user{n}", email=f"u{n}@example.com", password_hash="h",
            now=START + timedelta(minutes=n + 1),
        )  # fmt: skip
        uow.store.users[user.id] = user
    search = handlers.get(SearchUsersHandler)
    first = await search(SearchUsers(OPERATOR, limit=4))
    assert [u.username for u in first.users] == ["user4", "user3", "user2", "user1"]
    assert first.next_cursor is not None
    last = await search(SearchUsers(OPERATOR, limit=4, cursor=first.next_cursor))
    assert [u.username for u in last.users] == ["user0", "alice"]
    assert last.next_cursor is None


@pytest.mark.parametrize("cursor", ["nope", "bm9wZQ", "MjAyNi0wMS0wMVQwMDowMDowMHxub3Bl"])
def test_a_cursor_the_list_did_not_hand_out_is_invalid_input(cursor: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        decode_cursor(cursor)
    assert "cursor" in raised.value.errors


async def test_status_and_limit_are_checked(handlers: Injector) -> None:
    search = handlers.get(SearchUsersHandler)
    with pytest.raises(InvalidInput) as raised:
        await search(SearchUsers(OPERATOR, status="asleep", limit=0))
    assert raised.value.errors.keys() == {"status", "limit"}
