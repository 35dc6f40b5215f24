"""A browser session is a sign-in's refresh token: it speaks for its user until the token is
revoked, expires, or falls behind the user's token version, and reading it rotates nothing."""

from __future__ import annotations

import pytest
from injector import Injector

from core.domain import Unauthenticated, User
from core.sessions.session_user import GetSessionUser, GetSessionUserHandler
from core.tokens.issue_access_token import IssueAccessToken, IssueAccessTokenHandler
from core.tokens.issued import IssuedTokens
from core.tokens.revoke_refresh_token import RevokeRefreshToken, RevokeRefreshTokenHandler
from core.users.update_profile import UpdateProfile, UpdateProfileHandler
from tests.unit.conftest import ALICE_PASSWORD
from tests.unit.fakes import FixedClock, InMemoryUnitOfWorkFactory


@pytest.fixture
def session_user(handlers: Injector) -> GetSessionUserHandler:
    return handlers.get(GetSessionUserHandler)


@pytest.fixture
async def signed_in(login: IssueAccessTokenHandler, alice: User) -> IssuedTokens:
    return await login(IssueAccessToken("alice", ALICE_PASSWORD))


async def test_a_live_session_is_its_user_and_reading_it_changes_nothing(
    session_user: GetSessionUserHandler,
    signed_in: IssuedTokens,
    alice: User,
    uow: InMemoryUnitOfWorkFactory,
) -> None:
    before = dict(uow.store.refresh_tokens)

    for _ in range(2):
        read = await session_user(GetSessionUser(signed_in.refresh_token))
        assert read.user.id == alice.id

    assert uow.store.refresh_tokens == before


async def test_a_signed_out_session_is_no_session(
    session_user: GetSessionUserHandler,
    signed_in: IssuedTokens,
    revoke: RevokeRefreshTokenHandler,
) -> None:
    await revoke(RevokeRefreshToken(signed_in.refresh_token))

    with pytest.raises(Unauthenticated):
        await session_user(GetSessionUser(signed_in.refresh_token))


async def test_a_password_change_ends_the_session(
    session_user: GetSessionUserHandler,
    signed_in: IssuedTokens,
    update: UpdateProfileHandler,
    alice: User,
) -> None:
    await update(
        UpdateProfile(alice.id, password="another-password", current_password=ALICE_PASSWORD)
    )

    with pytest.raises(Unauthenticated):
        await session_user(GetSessionUser(signed_in.refresh_token))


async def test_a_session_ends_with_its_token(
    session_user: GetSessionUserHandler, signed_in: IssuedTokens, clock: FixedClock
) -> None:
    clock.advance(session_user.refresh_family_lifetime)

    with pytest.raises(Unauthenticated):
        await session_user(GetSessionUser(signed_in.refresh_token))


async def test_an_unknown_secret_is_no_session(session_user: GetSessionUserHandler) -> None:
    with pytest.raises(Unauthenticated):
        await session_user(GetSessionUser("made-up"))
