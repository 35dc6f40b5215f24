"""The password policy with fakes of the password lists: which passwords each rule refuses,
what the breach corpus is asked, and what happens while it cannot be."""

from __future__ import annotations

import pytest
from injector import Injector

from core.domain import InvalidInput, Unavailable
from core.passwords.policy import (
    BREACHED,
    COMMON,
    COMMON_VARIANT,
    PERSONAL,
    PasswordPolicy,
)
from core.ports import BreachCheckUnavailable
from core.users.register import RegisterUser, RegisterUserHandler
from core.users.request_password_reset import RequestPasswordReset, RequestPasswordResetHandler
from core.users.reset_password import ResetPassword, ResetPasswordHandler
from tests.unit.fakes import (
    FakeActionTokenSecrets,
    FakeBreachedPasswords,
    FakeCommonPasswords,
    InMemoryUnitOfWorkFactory,
)


@pytest.fixture
def policy(handlers: Injector) -> PasswordPolicy:
    return handlers.get(PasswordPolicy)


def _problems(policy: PasswordPolicy, password: str, *identities: str) -> list[str]:
    return policy.local_problems(password, identities)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("password", COMMON),
        ("PassWord", COMMON),
        ("qwertyuiop", COMMON),
        ("Password1!", COMMON_VARIANT),
        ("2024dragon", COMMON_VARIANT),
        ("  dragon  !", COMMON_VARIANT),
        # Full-width letters are the same letters once normalised.
        ("".join(chr(ord(c) + 0xFEE0) for c in "password"), COMMON),
    ],
)
def test_common_passwords_and_their_trivial_variants(
    policy: PasswordPolicy, password: str, problem: str
) -> None:
    assert _problems(policy, password) == [problem]


@pytest.mark.parametrize("password", ["passwords are long", "dragonfly-wings", "x-dragon-y"])
def test_a_common_word_inside_other_words_is_fine(policy: PasswordPolicy, password: str) -> None:
    assert _problems(policy, password) == []


@pytest.mark.parametrize(
    ("password", "identities", "refused"),
    [
        ("i-am-ALICE-really", ("alice", "a@example.com"), True),
        ("rabbit.hole.forever", ("carol", "rabbit.hole@example.com"), True),
        ("tea-with-hatter", ("dave", "hatter+tea@example.com"), True),
        # Three-letter names only as the whole password, give or take digits and symbols.
        ("bob2024!!", ("bob", "b@example.com"), True),
        ("!!new!!2024", ("erin", "new@example.com"), True),
        ("bobsleigh-in-winter", ("bob", "b@example.com"), False),
        ("a renewed pledge", ("erin", "new@example.com"), False),
        # Shorter ones not at all.
        ("joyful-journey", ("erin", "jo@example.com"), False),
    ],
)
def test_passwords_made_of_the_users_names(
    policy: PasswordPolicy, password: str, identities: tuple[str, ...], refused: bool
) -> None:
    assert _problems(policy, password, *identities) == ([PERSONAL] if refused else [])


def test_length_is_counted_after_normalisation(policy: PasswordPolicy) -> None:
    assert _problems(policy, "e\u0301" * 4) == ["Must be 8-128 characters long."]
    assert _problems(policy, "\ufb03" * 3) == []  # three "ffi" ligatures: nine letters
    assert _problems(policy, "\u00e9" * 129) == ["Must be 8-128 characters long."]


async def test_the_corpus_is_asked_last_and_with_the_normal_form(
    policy: PasswordPolicy, breached: FakeBreachedPasswords
) -> None:
    with pytest.raises(InvalidInput):
        await policy.check("password1")
    assert breached.asked == []
    await policy.check("cafe\u0301-au-lait")
    assert breached.asked == ["caf\u00e9-au-lait"]


async def test_a_breached_password_is_refused_naming_the_field(
    policy: PasswordPolicy, breached: FakeBreachedPasswords
) -> None:
    breached.seen["monkey-business-1984"] = 12
    with pytest.raises(InvalidInput) as refused:
        await policy.check("monkey-business-1984", field="new_password")
    assert refused.value.errors == {"new_password": [BREACHED]}


async def test_an_unavailable_corpus_is_allowed_or_refused_as_configured(
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = FakeBreachedPasswords({"a fine password": BreachCheckUnavailable("timeout")})
    await PasswordPolicy(FakeCommonPasswords(), down, breached_fail_closed=False).check(
        "a fine password"
    )
    assert "breached-password check unavailable" in caplog.text
    with pytest.raises(Unavailable):
        await PasswordPolicy(FakeCommonPasswords(), down, breached_fail_closed=True).check(
            "a fine password"
        )


async def test_sign_up_applies_the_policy_before_storing_anything(
    register: RegisterUserHandler, uow: InMemoryUnitOfWorkFactory
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await register(RegisterUser("alice", "alice@example.com", "alice-in-wonderland"))
    assert refused.value.errors == {"password": [PERSONAL]}
    assert uow.store.users == {}
    assert uow.store.commits == 0


async def test_a_reset_refused_for_the_users_own_name_leaves_the_token_usable(
    forgot: RequestPasswordResetHandler,
    reset: ResetPasswordHandler,
    uow: InMemoryUnitOfWorkFactory,
    alice,
) -> None:
    await forgot(RequestPasswordReset("alice@example.com"))
    mailed = next(e for e in uow.store.events if e.type == "user.password_reset_requested")
    assert mailed.token_id is not None
    token = FakeActionTokenSecrets().secret_for(mailed.token_id, mailed.email)
    with pytest.raises(InvalidInput) as refused:
        await reset(ResetPassword(token, "alice-once-more"))
    assert refused.value.errors == {"new_password": [PERSONAL]}
    await reset(ResetPassword(token, "a brand new one"))
