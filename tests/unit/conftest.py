"""Fakes of every port, fresh for each test, and a registered user to act as."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from core.domain import User
from core.email_check import EmailScreen
from tests.unit.fakes import (
    FakeHasher,
    FakeJobs,
    FakeTokens,
    FakeVerifier,
    FixedClock,
    InMemoryUnitOfWorkFactory,
)

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
ALICE_PASSWORD = "correct horse battery"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def hasher() -> FakeHasher:
    return FakeHasher()


@pytest.fixture
def tokens() -> FakeTokens:
    return FakeTokens()


@pytest.fixture
def uow() -> InMemoryUnitOfWorkFactory:
    return InMemoryUnitOfWorkFactory()


@pytest.fixture
async def alice(uow: InMemoryUnitOfWorkFactory, hasher: FakeHasher) -> User:
    """A stored user who has verified her address."""
    user = User.register(
        username="alice",
        email="alice@example.com",
        password_hash=await hasher.hash(ALICE_PASSWORD),
        now=START,
    )
    user = replace(user, email_verified=True)
    uow.store.users[user.id] = user
    return user


@pytest.fixture
def verifier() -> FakeVerifier:
    return FakeVerifier()


@pytest.fixture
def screen(verifier: FakeVerifier) -> EmailScreen:
    return EmailScreen(verifier)


@pytest.fixture
def jobs() -> FakeJobs:
    return FakeJobs()
