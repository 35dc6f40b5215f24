"""Sessions in core, on fakes: each sign-in begins one; the list marks the caller's; ending one
refuses its tokens; a sign-in from a device and network the account has not used lately is
mailed, the first one of a new account is not; and which sessions other services hear of."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from injector import Injector

from core.domain import NEW_DEVICE_WINDOW, NotFound, Unauthenticated, User
from core.ports import AccessClaims
from core.public_events import SessionEnded
from core.sessions.end_sessions import (
    EndOtherSessions,
    EndOtherSessionsHandler,
    EndSession,
    EndSessionHandler,
)
from core.sessions.list_sessions import ListSessions, ListSessionsHandler
from core.tokens.issue_access_token import IssueAccessToken, IssueAccessTokenHandler
from core.tokens.issued import IssuedTokens
from core.tokens.refresh_access_token import RefreshAccessToken, RefreshAccessTokenHandler
from core.tokens.revoke_refresh_token import RevokeRefreshToken, RevokeRefreshTokenHandler
from core.users.cancel_email_change import CancelEmailChange, CancelEmailChangeHandler
from core.users.get_profile import GetProfile, GetProfileHandler
from core.users.update_profile import UpdateProfile, UpdateProfileHandler
from tests.unit.conftest import ALICE_PASSWORD
from tests.unit.fakes import FakeTokens, FixedClock, InMemoryUnitOfWorkFactory

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1"


async def _sign_in(
    login: IssueAccessTokenHandler, ip: str = "198.51.100.7", agent: str | None = FIREFOX
) -> IssuedTokens:
    return await login(IssueAccessToken("alice", ALICE_PASSWORD, ip, agent))


def _claims(tokens: FakeTokens, issued: IssuedTokens) -> AccessClaims:
    return tokens.verify(issued.access.token)


def _caller(claims: AccessClaims) -> dict[str, Any]:
    return {
        "user_id": claims.user_id,
        "token_version": claims.token_version,
        "session_id": claims.session_id,
    }


def _notices(uow: InMemoryUnitOfWorkFactory) -> list[tuple[str | None, str | None]]:
    return [(e.device, e.ip) for e in uow.store.events if e.type == "user.new_sign_in"]


async def test_a_sign_in_begins_a_session_its_access_tokens_name(
    login: IssueAccessTokenHandler,
    refresh: RefreshAccessTokenHandler,
    tokens: FakeTokens,
    uow: InMemoryUnitOfWorkFactory,
    alice: User,
) -> None:
    issued = await _sign_in(login)

    (session,) = uow.store.sessions.values()
    assert (session.user_id, session.ip, session.network) == (
        alice.id,
        "198.51.100.7",
        "198.51.100.7",
    )
    assert (session.device, session.amr, session.ended_at) == ("Firefox on Windows", ("pwd",), None)
    assert _claims(tokens, issued).session_id == session.id
    renewed = await refresh(RefreshAccessToken(issued.refresh_token))
    assert _claims(tokens, renewed).session_id == session.id, "a refresh goes on in the session"


async def test_the_list_marks_the_callers_session(
    login: IssueAccessTokenHandler,
    handlers: Injector,
    tokens: FakeTokens,
    clock: FixedClock,
    alice: User,
) -> None:
    laptop = _claims(tokens, await _sign_in(login))
    clock.advance(timedelta(minutes=1))
    await _sign_in(login, "203.0.113.9", IPHONE)

    listed = await handlers.get(ListSessionsHandler)(ListSessions(**_caller(laptop)))

    assert [(s.device, s.current) for s in listed] == [
        ("Safari on iPhone", False),
        ("Firefox on Windows", True),
    ]


async def test_an_ended_session_refuses_its_access_token_and_others_go_on(
    login: IssueAccessTokenHandler,
    handlers: Injector,
    profile: GetProfileHandler,
    tokens: FakeTokens,
    alice: User,
) -> None:
    laptop = _claims(tokens, await _sign_in(login))
    phone = _claims(tokens, await _sign_in(login, "203.0.113.9", IPHONE))
    assert phone.session_id is not None

    await handlers.get(EndSessionHandler)(EndSession(**_caller(laptop), ended=phone.session_id))

    with pytest.raises(Unauthenticated, match="session has ended"):
        await profile(GetProfile(**_caller(phone)))
    assert (await profile(GetProfile(**_caller(laptop)))).id == alice.id
    no_session = GetProfile(phone.user_id, phone.token_version, session_id=None)
    assert (await profile(no_session)).id == alice.id, "a token without `sid` names no session"


async def test_another_users_session_is_not_found(
    login: IssueAccessTokenHandler, handlers: Injector, tokens: FakeTokens, alice: User
) -> None:
    mine = _claims(tokens, await _sign_in(login))

    with pytest.raises(NotFound):
        await handlers.get(EndSessionHandler)(EndSession(**_caller(mine), ended=uuid.uuid4()))


async def test_ending_every_other_session_keeps_the_callers(
    login: IssueAccessTokenHandler,
    handlers: Injector,
    tokens: FakeTokens,
    uow: InMemoryUnitOfWorkFactory,
    alice: User,
) -> None:
    mine = _claims(tokens, await _sign_in(login))
    for i in range(3):
        await _sign_in(login, f"203.0.113.{i}", IPHONE)

    ended = await handlers.get(EndOtherSessionsHandler)(EndOtherSessions(**_caller(mine)))

    assert ended == 3
    live = [s.id for s in uow.store.sessions.values() if s.ended_at is None]
    assert live == [mine.session_id]
    assert [e.type for e in uow.store.public_events].count("session.ended") == 3
    trail = [e.details["ended_by"] for e in uow.store.audit if e.type == "session.ended"]
    assert trail == ["other_session"] * 3


async def test_signing_out_ends_the_session_once(
    login: IssueAccessTokenHandler,
    revoke: RevokeRefreshTokenHandler,
    uow: InMemoryUnitOfWorkFactory,
    alice: User,
) -> None:
    issued = await _sign_in(login)

    for _ in range(2):
        await revoke(RevokeRefreshToken(issued.refresh_token))

    (session,) = uow.store.sessions.values()
    assert session.ended_at is not None
    assert [e.type for e in uow.store.public_events] == ["session.ended"]
    assert [e.details["ended_by"] for e in uow.store.audit if e.type == "session.ended"] == ["self"]


async def test_a_new_password_ends_every_session_without_an_event_for_each(
    login: IssueAccessTokenHandler,
    update: UpdateProfileHandler,
    uow: InMemoryUnitOfWorkFactory,
    alice: User,
) -> None:
    await _sign_in(login)
    await _sign_in(login, "203.0.113.9", IPHONE)

    await update(
        UpdateProfile(alice.id, password="a whole new one", current_password=ALICE_PASSWORD)
    )

    assert all(s.ended_at is not None for s in uow.store.sessions.values())
    assert [e.type for e in uow.store.public_events] == ["user.password_changed"]


async def test_a_cancelled_email_change_tells_of_each_session_it_ended(
    login: IssueAccessTokenHandler,
    handlers: Injector,
    update: UpdateProfileHandler,
    uow: InMemoryUnitOfWorkFactory,
    alice: User,
) -> None:
    await _sign_in(login)
    await _sign_in(login, "203.0.113.9", IPHONE)
    await update(UpdateProfile(alice.id, email="new@example.com", current_password=ALICE_PASSWORD))
    (cancel_token,) = [
        t for t in uow.store.action_tokens.values() if t.purpose == "cancel_email_change"
    ]
    secret = f"secret-of-{cancel_token.id}-for-{cancel_token.email}"

    await handlers.get(CancelEmailChangeHandler)(CancelEmailChange(secret))

    ended = {e.sid for e in uow.store.public_events if isinstance(e, SessionEnded)}
    assert ended == set(uow.store.sessions)


async def test_a_new_device_is_mailed_the_first_sign_in_of_a_new_account_is_not(
    login: IssueAccessTokenHandler, uow: InMemoryUnitOfWorkFactory, alice: User
) -> None:
    await _sign_in(login)
    await _sign_in(login)
    await _sign_in(login, "198.51.100.7", IPHONE)  # another device on a known network
    await _sign_in(login, "203.0.113.9")  # a known device on another network

    assert _notices(uow) == [
        ("Safari on iPhone", "198.51.100.7"),
        ("Firefox on Windows", "203.0.113.9"),
    ]


async def test_a_device_unused_for_the_whole_window_is_news_again(
    login: IssueAccessTokenHandler, clock: FixedClock, uow: InMemoryUnitOfWorkFactory, alice: User
) -> None:
    await _sign_in(login)
    clock.advance(NEW_DEVICE_WINDOW + timedelta(minutes=1))

    await _sign_in(login)

    assert _notices(uow) == [("Firefox on Windows", "198.51.100.7")]


async def test_an_old_account_with_no_session_stored_is_mailed(
    login: IssueAccessTokenHandler, uow: InMemoryUnitOfWorkFactory, alice: User, clock: FixedClock
) -> None:
    # An account that has not signed in for longer than sessions are kept, or since before
    # sessions were stored: its next sign-in is not its first.
    uow.store.users[alice.id] = replace(alice, created_at=clock.now() - NEW_DEVICE_WINDOW * 2)

    await _sign_in(login)

    assert _notices(uow) == [("Firefox on Windows", "198.51.100.7")]


async def test_a_sign_in_that_says_nothing_of_its_client_is_not_mailed(
    login: IssueAccessTokenHandler, uow: InMemoryUnitOfWorkFactory, alice: User
) -> None:
    await _sign_in(login)

    await login(IssueAccessToken("alice", ALICE_PASSWORD))

    assert _notices(uow) == []
    assert len(uow.store.sessions) == 2
