"""Fakes of every port, fresh for each test, bound in one place; handlers built through the
same wiring the processes use; and a registered user to act as."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import falcon.asgi
import pytest
from injector import Binder, Injector, InstanceProvider, Module

from adapters.bootstrap.common import HandlersModule, handler_values
from adapters.bootstrap.web import ADMIN_HANDLERS, WEB_HANDLERS, web_injector
from adapters.bootstrap.worker import WORKER_HANDLERS
from adapters.lifecycle import Lifecycle
from adapters.settings import Settings
from api.app import create_app
from core.domain import User
from core.email_reputation.check import CheckEmailReputationHandler
from core.ports import (
    ActionTokenSecrets,
    BackgroundJobs,
    BreachedPasswords,
    Clock,
    CommonPasswords,
    EmailReputation,
    FamiliarAddresses,
    LockoutCounter,
    PasswordHasher,
    RateLimiter,
    TokenIssuer,
    TotpSecretBox,
    UnitOfWorkFactory,
    UserDirectory,
    UserReader,
    WebAuthn,
)
from core.tokens.issue_access_token import IssueAccessTokenHandler
from core.tokens.refresh_access_token import RefreshAccessTokenHandler
from core.tokens.revoke_refresh_token import RevokeRefreshTokenHandler
from core.users.cancel_email_change import CancelEmailChangeHandler
from core.users.confirm_email import ConfirmEmailHandler
from core.users.delete_account import DeleteAccountHandler
from core.users.get_profile import GetProfileHandler
from core.users.register import RegisterUserHandler
from core.users.request_password_reset import RequestPasswordResetHandler
from core.users.resend_verification import ResendVerificationHandler
from core.users.reset_password import ResetPasswordHandler
from core.users.update_profile import UpdateProfileHandler
from tests.unit.fake_passkeys import FakeWebAuthn
from tests.unit.fakes import (
    FakeActionTokenSecrets,
    FakeBreachedPasswords,
    FakeCommonPasswords,
    FakeEmailReputation,
    FakeHasher,
    FakeJobs,
    FakeTokens,
    FixedClock,
    InMemoryFamiliarAddresses,
    InMemoryRateLimiter,
    InMemoryUnitOfWorkFactory,
    InMemoryUserDirectory,
)
from tests.unit.second_factor_fakes import ReversibleTotpSecrets

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
ALICE_PASSWORD = "correct horse battery"
# Handlers see the settings' defaults, but for a refresh-token lifetime short enough to test.
SETTINGS = replace(Settings.from_env(read_dotenv=False), refresh_token_ttl_seconds=3600)


@dataclasses.dataclass
class FakePorts(Module):
    """Every port bound to the fake a test holds."""

    uow: InMemoryUnitOfWorkFactory
    hasher: FakeHasher
    tokens: FakeTokens
    clock: FixedClock
    limiter: InMemoryRateLimiter
    reputation: FakeEmailReputation
    jobs: FakeJobs
    breached: FakeBreachedPasswords
    secrets: FakeActionTokenSecrets = dataclasses.field(default_factory=FakeActionTokenSecrets)
    familiar: InMemoryFamiliarAddresses = dataclasses.field(
        default_factory=InMemoryFamiliarAddresses
    )
    webauthn: FakeWebAuthn = dataclasses.field(default_factory=FakeWebAuthn)

    def configure(self, binder: Binder) -> None:
        bindings: list[tuple[type, object]] = [
            (UnitOfWorkFactory, self.uow),
            (UserReader, self.uow.reader),
            (UserDirectory, InMemoryUserDirectory(self.uow.store)),
            (PasswordHasher, self.hasher),
            (TokenIssuer, self.tokens),
            (Clock, self.clock),
            (RateLimiter, self.limiter),
            (LockoutCounter, self.limiter),
            (EmailReputation, self.reputation),
            (BackgroundJobs, self.jobs),
            (ActionTokenSecrets, self.secrets),
            (FamiliarAddresses, self.familiar),
            (CommonPasswords, FakeCommonPasswords()),
            (BreachedPasswords, self.breached),
            (WebAuthn, self.webauthn),
            (TotpSecretBox, ReversibleTotpSecrets()),
        ]
        for port, fake in bindings:
            binder.bind(port, to=InstanceProvider(fake))


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
def limiter(clock: FixedClock) -> InMemoryRateLimiter:
    return InMemoryRateLimiter(clock)


@pytest.fixture
def reputation() -> FakeEmailReputation:
    return FakeEmailReputation()


@pytest.fixture
def jobs() -> FakeJobs:
    return FakeJobs()


@pytest.fixture
def secrets() -> FakeActionTokenSecrets:
    return FakeActionTokenSecrets()


@pytest.fixture
def familiar() -> InMemoryFamiliarAddresses:
    return InMemoryFamiliarAddresses()


@pytest.fixture
def breached() -> FakeBreachedPasswords:
    return FakeBreachedPasswords()


@pytest.fixture
def webauthn() -> FakeWebAuthn:
    return FakeWebAuthn()


@pytest.fixture
def handlers(
    uow: InMemoryUnitOfWorkFactory,
    hasher: FakeHasher,
    tokens: FakeTokens,
    clock: FixedClock,
    limiter: InMemoryRateLimiter,
    reputation: FakeEmailReputation,
    jobs: FakeJobs,
    breached: FakeBreachedPasswords,
    secrets: FakeActionTokenSecrets,
    familiar: InMemoryFamiliarAddresses,
    webauthn: FakeWebAuthn,
) -> Injector:
    """Every handler of the web and worker processes, wired as they wire them."""
    fakes = FakePorts(
        uow, hasher, tokens, clock, limiter, reputation, jobs, breached, secrets, familiar, webauthn
    )
    every = HandlersModule(
        (*WEB_HANDLERS, *ADMIN_HANDLERS, *WORKER_HANDLERS), handler_values(SETTINGS)
    )
    return Injector([fakes, every])


@pytest.fixture
def register(handlers: Injector) -> RegisterUserHandler:
    return handlers.get(RegisterUserHandler)


@pytest.fixture
def profile(handlers: Injector) -> GetProfileHandler:
    return handlers.get(GetProfileHandler)


@pytest.fixture
def update(handlers: Injector) -> UpdateProfileHandler:
    return handlers.get(UpdateProfileHandler)


@pytest.fixture
def delete(handlers: Injector) -> DeleteAccountHandler:
    return handlers.get(DeleteAccountHandler)


@pytest.fixture
def login(handlers: Injector) -> IssueAccessTokenHandler:
    return handlers.get(IssueAccessTokenHandler)


@pytest.fixture
def refresh(handlers: Injector) -> RefreshAccessTokenHandler:
    return handlers.get(RefreshAccessTokenHandler)


@pytest.fixture
def revoke(handlers: Injector) -> RevokeRefreshTokenHandler:
    return handlers.get(RevokeRefreshTokenHandler)


@pytest.fixture
def confirm(handlers: Injector) -> ConfirmEmailHandler:
    return handlers.get(ConfirmEmailHandler)


@pytest.fixture
def cancel(handlers: Injector) -> CancelEmailChangeHandler:
    return handlers.get(CancelEmailChangeHandler)


@pytest.fixture
def resend(handlers: Injector) -> ResendVerificationHandler:
    return handlers.get(ResendVerificationHandler)


@pytest.fixture
def forgot(handlers: Injector) -> RequestPasswordResetHandler:
    return handlers.get(RequestPasswordResetHandler)


@pytest.fixture
def reset(handlers: Injector) -> ResetPasswordHandler:
    return handlers.get(ResetPasswordHandler)


@pytest.fixture
def check_reputation(handlers: Injector) -> CheckEmailReputationHandler:
    return handlers.get(CheckEmailReputationHandler)


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


@pytest.fixture(scope="module")
async def app(settings: Settings) -> AsyncIterator[falcon.asgi.App[Any, Any]]:
    """The web app as the web process builds it (`create_app` on the web wiring), without fakes:
    building it contacts no service, so tests of what it serves without storage can use it."""
    injector = web_injector(settings)
    yield create_app(settings, injector)
    await injector.get(Lifecycle).close()
