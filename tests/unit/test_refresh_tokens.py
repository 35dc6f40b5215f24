"""Refresh tokens: issued at login, rotated at each use, retired by reuse, logout, a password
change or the account's deletion; and access tokens retired by a password change."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from core.domain import (
    Forbidden,
    InvalidCredentials,
    InvalidRefreshToken,
    Unauthenticated,
    User,
    refresh_token_hash,
)
from core.tokens.issue_access_token import IssueAccessToken, IssueAccessTokenHandler
from core.tokens.issued import IssuedTokens
from core.tokens.refresh_access_token import RefreshAccessToken, RefreshAccessTokenHandler
from core.tokens.revoke_refresh_token import RevokeRefreshToken, RevokeRefreshTokenHandler
from core.users.delete_account import DeleteAccount, DeleteAccountHandler
from core.users.get_profile import GetProfile, GetProfileHandler
from core.users.update_profile import UpdateProfile, UpdateProfileHandler
from tests.unit.conftest import ALICE_PASSWORD
from tests.unit.fakes import (
    FakeTokens,
    FixedClock,
    InMemoryUnitOfWorkFactory,
)


async def _login(login: IssueAccessTokenHandler) -> IssuedTokens:
    return await login(IssueAccessToken("alice", ALICE_PASSWORD))


async def _change_password(update: UpdateProfileHandler, alice: User) -> None:
    await update(
        UpdateProfile(
            alice.id,
            password="a brand new password",
            current_password=ALICE_PASSWORD,
            token_version=alice.token_version,
        )
    )


async def test_login_issues_a_refresh_token_that_is_stored_only_as_its_hash(
    login: IssueAccessTokenHandler, uow: InMemoryUnitOfWorkFactory, alice: User
) -> None:
    issued = await _login(login)

    assert len(issued.refresh_token) >= 43
    assert issued.refresh_expires_in == 3600
    (stored,) = uow.store.refresh_tokens.values()
    assert stored.token_hash == refresh_token_hash(issued.refresh_token)
    assert issued.refresh_token not in repr(stored)
    assert (stored.user_id, stored.token_version, stored.revoked_at) == (alice.id, 0, None)


async def test_two_logins_start_two_families(
    login: IssueAccessTokenHandler, uow: InMemoryUnitOfWorkFactory, alice: User
) -> None:
    first, second = await _login(login), await _login(login)

    assert first.refresh_token != second.refresh_token
    assert len({t.family_id for t in uow.store.refresh_tokens.values()}) == 2


async def test_refresh_rotates_the_token_within_its_family(
    login: IssueAccessTokenHandler,
    refresh: RefreshAccessTokenHandler,
    uow: InMemoryUnitOfWorkFactory,
    tokens: FakeTokens,
    clock: FixedClock,
    alice: User,
) -> None:
    issued = await _login(login)
    clock.advance(timedelta(minutes=50))

    renewed = await refresh(RefreshAccessToken(issued.refresh_token))

    assert tokens.verify(renewed.access.token).user_id == alice.id
    assert renewed.refresh_token != issued.refresh_token
    by_hash = {t.token_hash: t for t in uow.store.refresh_tokens.values()}
    old = by_hash[refresh_token_hash(issued.refresh_token)]
    new = by_hash[refresh_token_hash(renewed.refresh_token)]
    assert old.revoked_at == clock.now()
    assert new.revoked_at is None
    assert new.family_id == old.family_id
    assert new.expires_at == clock.now() + timedelta(hours=1)
    # The successor works in turn.
    assert await refresh(RefreshAccessToken(renewed.refresh_token))


async def test_reusing_a_rotated_token_after_the_grace_period_revokes_the_whole_family(
    login: IssueAccessTokenHandler,
    refresh: RefreshAccessTokenHandler,
    uow: InMemoryUnitOfWorkFactory,
    clock: FixedClock,
    alice: User,
) -> None:
    other_session = await _login(login)
    issued = await _login(login)
    renewed = await refresh(RefreshAccessToken(issued.refresh_token))
    clock.advance(refresh.refresh_reuse_grace)

    with pytest.raises(InvalidRefreshToken):
        await refresh(RefreshAccessToken(issued.refresh_token))
    with pytest.raises(InvalidRefreshToken):
        await refresh(RefreshAccessToken(renewed.refresh_token))

    # Another login of the same user is another family, untouched.
    assert await refresh(RefreshAccessToken(other_session.refresh_token))


async def test_an_expired_refresh_token_is_refused(
    login: IssueAccessTokenHandler,
    refresh: RefreshAccessTokenHandler,
    clock: FixedClock,
    alice: User,
) -> None:
    issued = await _login(login)
    clock.advance(timedelta(hours=1))

    with pytest.raises(InvalidRefreshToken):
        await refresh(RefreshAccessToken(issued.refresh_token))


@pytest.mark.parametrize("garbage", ["", "not-a-token", "x" * 1024, "token-for-alice"])
async def test_an_unknown_refresh_token_is_refused_and_changes_nothing(
    refresh: RefreshAccessTokenHandler, uow: InMemoryUnitOfWorkFactory, garbage: str
) -> None:
    with pytest.raises(InvalidRefreshToken):
        await refresh(RefreshAccessToken(garbage))
    assert uow.store.commits == 0


async def test_logout_revokes_the_family_and_is_silent_about_unknown_tokens(
    login: IssueAccessTokenHandler,
    refresh: RefreshAccessTokenHandler,
    revoke: RevokeRefreshTokenHandler,
    uow: InMemoryUnitOfWorkFactory,
    alice: User,
) -> None:
    issued = await _login(login)
    renewed = await refresh(RefreshAccessToken(issued.refresh_token))

    await revoke(RevokeRefreshToken(renewed.refresh_token))
    await revoke(RevokeRefreshToken(renewed.refresh_token))
    await revoke(RevokeRefreshToken("never-issued"))

    assert all(t.revoked_at for t in uow.store.refresh_tokens.values())
    with pytest.raises(InvalidRefreshToken):
        await refresh(RefreshAccessToken(renewed.refresh_token))


async def test_a_password_change_retires_every_token_issued_before_it(
    login: IssueAccessTokenHandler,
    refresh: RefreshAccessTokenHandler,
    update: UpdateProfileHandler,
    uow: InMemoryUnitOfWorkFactory,
    tokens: FakeTokens,
    alice: User,
    profile: GetProfileHandler,
) -> None:
    sessions = [await _login(login), await _login(login)]
    old_claims = tokens.verify(sessions[0].access.token)

    await _change_password(update, alice)

    assert uow.store.users[alice.id].token_version == old_claims.token_version + 1
    for session in sessions:
        with pytest.raises(InvalidRefreshToken):
            await refresh(RefreshAccessToken(session.refresh_token))
    with pytest.raises(Unauthenticated):
        await profile(GetProfile(alice.id, old_claims.token_version))
    assert await profile(GetProfile(alice.id, old_claims.token_version + 1))


async def test_other_changes_keep_the_tokens(
    login: IssueAccessTokenHandler,
    refresh: RefreshAccessTokenHandler,
    update: UpdateProfileHandler,
    uow: InMemoryUnitOfWorkFactory,
    alice: User,
) -> None:
    issued = await _login(login)

    await update(
        UpdateProfile(
            alice.id, username="alice.w", email="w@example.com", current_password=ALICE_PASSWORD
        )
    )

    assert uow.store.users[alice.id].token_version == alice.token_version
    assert await refresh(RefreshAccessToken(issued.refresh_token))


async def test_a_stale_access_token_can_neither_change_nor_delete_the_account(
    update: UpdateProfileHandler,
    uow: InMemoryUnitOfWorkFactory,
    delete: DeleteAccountHandler,
    alice: User,
) -> None:
    uow.store.users[alice.id] = replace(alice, token_version=3)

    with pytest.raises(Unauthenticated):
        await update(UpdateProfile(alice.id, username="mallory", token_version=2))
    with pytest.raises(Unauthenticated):
        await delete(DeleteAccount(alice.id, ALICE_PASSWORD, token_version=2))
    assert uow.store.users[alice.id].username == "alice"
    assert uow.store.commits == 0


async def test_deleting_the_account_deletes_its_refresh_tokens(
    login: IssueAccessTokenHandler,
    refresh: RefreshAccessTokenHandler,
    delete: DeleteAccountHandler,
    uow: InMemoryUnitOfWorkFactory,
    alice: User,
) -> None:
    issued = await _login(login)

    await delete(DeleteAccount(alice.id, ALICE_PASSWORD, token_version=0))

    assert not uow.store.refresh_tokens
    with pytest.raises(InvalidRefreshToken):
        await refresh(RefreshAccessToken(issued.refresh_token))


async def test_a_family_begun_before_a_password_change_is_refused_even_if_not_revoked(
    login: IssueAccessTokenHandler,
    refresh: RefreshAccessTokenHandler,
    uow: InMemoryUnitOfWorkFactory,
    alice: User,
) -> None:
    issued = await _login(login)
    # As if the password changed between the revocation sweep and this token's insertion.
    uow.store.users[alice.id] = replace(alice, token_version=1)

    with pytest.raises(InvalidRefreshToken):
        await refresh(RefreshAccessToken(issued.refresh_token))
    assert all(t.revoked_at for t in uow.store.refresh_tokens.values())


async def test_a_login_that_raced_a_password_change_gets_no_tokens(
    login: IssueAccessTokenHandler,
    update: UpdateProfileHandler,
    uow: InMemoryUnitOfWorkFactory,
    alice: User,
) -> None:
    # The login's reader was opened before the change and still sees the old password, as a
    # login that checked the password just before the change committed would.
    await _change_password(update, alice)

    with pytest.raises(InvalidCredentials):
        await _login(login)
    assert not uow.store.refresh_tokens


async def test_a_blocked_account_cannot_refresh(
    login: IssueAccessTokenHandler,
    refresh: RefreshAccessTokenHandler,
    uow: InMemoryUnitOfWorkFactory,
    alice: User,
) -> None:
    issued = await _login(login)
    uow.store.users[alice.id] = replace(alice, email_status="rejected")

    with pytest.raises(Forbidden):
        await refresh(RefreshAccessToken(issued.refresh_token))
