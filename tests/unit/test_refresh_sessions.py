"""A sign-in's session across refreshes: a second use of a token moments after its rotation
gets the same successor, the family ends a fixed time after the sign-in however often it is
rotated, and access tokens keep the sign-in's time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from core.domain import InvalidRefreshToken, User, refresh_token_hash
from core.tokens.issue_access_token import IssueAccessToken, IssueAccessTokenHandler
from core.tokens.issued import IssuedTokens
from core.tokens.refresh_access_token import RefreshAccessToken, RefreshAccessTokenHandler
from core.tokens.revoke_refresh_token import RevokeRefreshToken, RevokeRefreshTokenHandler
from core.users.update_profile import UpdateProfile, UpdateProfileHandler
from tests.unit.conftest import ALICE_PASSWORD, START
from tests.unit.fakes import FakeTokens, FixedClock, InMemoryUnitOfWorkFactory

SECOND = timedelta(seconds=1)


async def _login(login: IssueAccessTokenHandler) -> IssuedTokens:
    return await login(IssueAccessToken("alice", ALICE_PASSWORD))


@pytest.fixture
async def signed_in(login: IssueAccessTokenHandler, alice: User) -> IssuedTokens:
    """Alice's sign-in with her password, at START."""
    return await _login(login)


async def _refresh(refresh: RefreshAccessTokenHandler, issued: IssuedTokens) -> IssuedTokens:
    return await refresh(RefreshAccessToken(issued.refresh_token))


async def test_a_second_use_within_the_grace_period_gets_the_same_successor(
    signed_in: IssuedTokens,
    refresh: RefreshAccessTokenHandler,
    uow: InMemoryUnitOfWorkFactory,
    tokens: FakeTokens,
    clock: FixedClock,
    alice: User,
) -> None:
    first = await _refresh(refresh, signed_in)
    later = refresh.refresh_reuse_grace - SECOND
    clock.advance(later)

    second = await _refresh(refresh, signed_in)

    assert second.refresh_token == first.refresh_token
    for renewed in (first, second):
        assert tokens.verify(renewed.access.token).user_id == alice.id
    assert second.refresh_expires_in == first.refresh_expires_in - later.total_seconds()
    # One successor, stored as its hash only; the rotated token records what replaced it.
    old, new = sorted(uow.store.refresh_tokens.values(), key=lambda t: t.revoked_at is None)
    assert new.token_hash == refresh_token_hash(first.refresh_token)
    assert (old.rotated_at, old.replaced_by, new.revoked_at) == (START, new.id, None)
    assert first.refresh_token not in repr(uow.store.refresh_tokens)
    # The successor both tabs now hold works, and only once more it is rotated.
    assert await _refresh(refresh, second)


async def _grace_over(
    refresh: RefreshAccessTokenHandler, clock: FixedClock, renewed: IssuedTokens
) -> IssuedTokens:
    clock.advance(refresh.refresh_reuse_grace)
    return renewed


async def _rotated_again(
    refresh: RefreshAccessTokenHandler, clock: FixedClock, renewed: IssuedTokens
) -> IssuedTokens:
    return await _refresh(refresh, renewed)


@pytest.mark.parametrize("meanwhile", [_grace_over, _rotated_again])
async def test_a_second_use_after_the_grace_period_or_the_successors_rotation_revokes_the_family(
    signed_in: IssuedTokens,
    refresh: RefreshAccessTokenHandler,
    uow: InMemoryUnitOfWorkFactory,
    clock: FixedClock,
    meanwhile: Callable[..., Awaitable[IssuedTokens]],
) -> None:
    live = await meanwhile(refresh, clock, await _refresh(refresh, signed_in))

    with pytest.raises(InvalidRefreshToken):
        await _refresh(refresh, signed_in)

    assert all(t.revoked_at for t in uow.store.refresh_tokens.values())
    with pytest.raises(InvalidRefreshToken):
        await _refresh(refresh, live)


async def test_a_logout_or_a_password_change_leaves_no_grace(
    login: IssueAccessTokenHandler,
    refresh: RefreshAccessTokenHandler,
    revoke: RevokeRefreshTokenHandler,
    update: UpdateProfileHandler,
    alice: User,
) -> None:
    logged_out = await _login(login)
    renewed = await _refresh(refresh, logged_out)
    await revoke(RevokeRefreshToken(renewed.refresh_token))
    changed = await _login(login)
    await _refresh(refresh, changed)
    await update(
        UpdateProfile(alice.id, password="a brand new password", current_password=ALICE_PASSWORD)
    )

    for issued in (logged_out, changed):
        with pytest.raises(InvalidRefreshToken):
            await _refresh(refresh, issued)


async def test_rotation_cannot_extend_the_family_past_its_lifetime(
    signed_in: IssuedTokens,
    refresh: RefreshAccessTokenHandler,
    uow: InMemoryUnitOfWorkFactory,
    clock: FixedClock,
) -> None:
    lifetime = timedelta(hours=2)
    refresh = replace(refresh, refresh_family_lifetime=lifetime)
    issued = signed_in
    for _ in range(2):
        clock.advance(timedelta(minutes=50))
        issued = await _refresh(refresh, issued)

    # Rotated 20 minutes before the family's end, it lives until then, not an hour.
    assert issued.refresh_expires_in == 20 * 60
    stored = uow.store.refresh_tokens.values()
    assert max(t.expires_at for t in stored) == START + lifetime
    assert {t.auth_time for t in stored} == {START}
    clock.advance(timedelta(minutes=20))
    with pytest.raises(InvalidRefreshToken):
        await _refresh(refresh, issued)


async def test_a_lifetime_shorter_than_the_ttl_ends_the_first_token_too(
    login: IssueAccessTokenHandler, uow: InMemoryUnitOfWorkFactory, alice: User
) -> None:
    issued = await _login(replace(login, refresh_family_lifetime=timedelta(minutes=30)))

    assert issued.refresh_expires_in == 30 * 60
    assert [t.expires_at for t in uow.store.refresh_tokens.values()] == [START + 30 * 60 * SECOND]


async def test_a_lifetime_lowered_since_the_sign_in_holds_for_tokens_already_out(
    signed_in: IssuedTokens,
    refresh: RefreshAccessTokenHandler,
    uow: InMemoryUnitOfWorkFactory,
    clock: FixedClock,
) -> None:
    clock.advance(timedelta(minutes=30))
    shorter = replace(refresh, refresh_family_lifetime=timedelta(minutes=30))

    (stored,) = uow.store.refresh_tokens.values()
    assert stored.expires_at > clock.now(), "the token itself would still be good"
    with pytest.raises(InvalidRefreshToken):
        await _refresh(shorter, signed_in)


async def test_access_tokens_keep_the_time_of_the_sign_in(
    signed_in: IssuedTokens,
    refresh: RefreshAccessTokenHandler,
    tokens: FakeTokens,
    clock: FixedClock,
) -> None:
    clock.advance(timedelta(minutes=50))
    renewed = await _refresh(refresh, signed_in)
    clock.advance(SECOND)
    again = await _refresh(refresh, signed_in)

    for access in (signed_in.access, renewed.access, again.access):
        assert tokens.verify(access.token).auth_time == START
