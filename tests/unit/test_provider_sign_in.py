"""Sign-in with an identity a provider vouched for, and linking and unlinking, through the
handlers the web process wires, on fakes of the ports."""

from __future__ import annotations

import pytest
from injector import Injector

from core.domain import Forbidden, User
from core.domain.identities import (
    EmailNotVerified,
    ExternalIdentity,
    IdentityTaken,
    LastWayToSignIn,
    LinkRequired,
    username_candidates,
)
from core.identities.link import LinkIdentity, LinkIdentityHandler
from core.identities.sign_in import SignInWithIdentity, SignInWithIdentityHandler
from core.identities.unlink import UnlinkIdentity, UnlinkIdentityHandler
from tests.unit.conftest import ALICE_PASSWORD
from tests.unit.fakes import InMemoryUnitOfWorkFactory


def identity(subject: str = "ada", **changes: object) -> ExternalIdentity:
    fields: dict[str, object] = {
        "provider": "local",
        "label": "Local",
        "issuer": "https://id.example",
        "subject": subject,
        "email": f"{subject}@example.com",
        "email_verified": True,
        "preferred_username": subject,
    }
    return ExternalIdentity(**{**fields, **changes})  # type: ignore[arg-type]


@pytest.fixture
def sign_in(handlers: Injector) -> SignInWithIdentityHandler:
    return handlers.get(SignInWithIdentityHandler)


@pytest.fixture
def link(handlers: Injector) -> LinkIdentityHandler:
    return handlers.get(LinkIdentityHandler)


@pytest.fixture
def unlink(handlers: Injector) -> UnlinkIdentityHandler:
    return handlers.get(UnlinkIdentityHandler)


async def test_a_new_identity_gets_a_confirmed_account_without_a_password(
    sign_in: SignInWithIdentityHandler, uow: InMemoryUnitOfWorkFactory
) -> None:
    issued = await sign_in(SignInWithIdentity(identity()))

    (user,) = uow.store.users.values()
    assert (user.username, user.email, user.email_verified) == ("ada", "ada@example.com", True)
    assert user.password_hash == "!unusable"
    (token,) = uow.store.refresh_tokens.values()
    assert (token.amr, token.provider, token.user_id) == (("ext",), "local", user.id)
    assert issued.refresh_token
    assert [e.type for e in uow.store.events] == ["user.created"]


async def test_the_same_identity_signs_in_to_the_same_account_whatever_its_address_now(
    sign_in: SignInWithIdentityHandler, uow: InMemoryUnitOfWorkFactory
) -> None:
    await sign_in(SignInWithIdentity(identity()))

    await sign_in(SignInWithIdentity(identity(email="ada@elsewhere.example")))

    assert len(uow.store.users) == 1
    (link,) = uow.store.linked_identities.values()
    assert link.last_used_at is not None


async def test_an_address_with_an_account_is_never_signed_in_by_it(
    sign_in: SignInWithIdentityHandler, alice: User, uow: InMemoryUnitOfWorkFactory
) -> None:
    with pytest.raises(LinkRequired) as raised:
        await sign_in(SignInWithIdentity(identity("a1", email="Alice@Example.com")))

    assert raised.value.identity.subject == "a1"
    assert not uow.store.refresh_tokens
    assert not uow.store.linked_identities


async def test_an_unverified_address_opens_nothing(
    sign_in: SignInWithIdentityHandler, uow: InMemoryUnitOfWorkFactory
) -> None:
    with pytest.raises(EmailNotVerified):
        await sign_in(SignInWithIdentity(identity(email_verified=False)))
    with pytest.raises(EmailNotVerified):
        await sign_in(SignInWithIdentity(identity(email=None)))

    assert not uow.store.users


async def test_a_taken_username_gets_a_number(
    sign_in: SignInWithIdentityHandler, alice: User, uow: InMemoryUnitOfWorkFactory
) -> None:
    await sign_in(SignInWithIdentity(identity("x", preferred_username="Alice")))

    assert sorted(u.username for u in uow.store.users.values()) == ["Alice2", "alice"]


def test_usernames_follow_the_rules_whatever_the_provider_says() -> None:
    names = username_candidates(identity(preferred_username="Jürgen Müller!"), 3)
    assert names == ["JrgenMller", "JrgenMller2", "JrgenMller3"]
    assert username_candidates(identity(preferred_username=None, email="x@a.example"), 1) == ["x__"]


async def test_linking_needs_the_password_and_an_identity_of_no_one_else(
    link: LinkIdentityHandler, sign_in: SignInWithIdentityHandler, alice: User
) -> None:
    with pytest.raises(Forbidden):
        await link(LinkIdentity(alice.id, identity("a1"), current_password="wrong"))

    linked = await link(LinkIdentity(alice.id, identity("a1"), current_password=ALICE_PASSWORD))

    assert linked.user_id == alice.id
    await sign_in(SignInWithIdentity(identity("b2")))
    with pytest.raises(IdentityTaken):
        await link(LinkIdentity(alice.id, identity("b2"), current_password=ALICE_PASSWORD))


async def test_linking_right_after_signing_in_needs_the_accounts_own_address(
    link: LinkIdentityHandler, alice: User
) -> None:
    with pytest.raises(Forbidden):
        await link(LinkIdentity(alice.id, identity("a1", email="someone@example.com")))

    linked = await link(LinkIdentity(alice.id, identity("a1", email="alice@example.com")))

    assert linked.email == "alice@example.com"


async def test_the_last_way_to_sign_in_stays(
    sign_in: SignInWithIdentityHandler,
    unlink: UnlinkIdentityHandler,
    uow: InMemoryUnitOfWorkFactory,
) -> None:
    await sign_in(SignInWithIdentity(identity()))
    (link,) = uow.store.linked_identities.values()

    with pytest.raises(LastWayToSignIn):
        await unlink(UnlinkIdentity(link.user_id, link.id, "anything"))

    assert uow.store.linked_identities


async def test_unlinking_needs_the_password(
    link: LinkIdentityHandler,
    unlink: UnlinkIdentityHandler,
    alice: User,
    uow: InMemoryUnitOfWorkFactory,
) -> None:
    linked = await link(LinkIdentity(alice.id, identity("a1"), current_password=ALICE_PASSWORD))

    with pytest.raises(Forbidden):
        await unlink(UnlinkIdentity(alice.id, linked.id, "wrong"))
    await unlink(UnlinkIdentity(alice.id, linked.id, ALICE_PASSWORD))

    assert not uow.store.linked_identities


async def test_past_the_numbered_usernames_a_random_one(
    sign_in: SignInWithIdentityHandler, uow: InMemoryUnitOfWorkFactory
) -> None:
    for n in range(20):
        await sign_in(SignInWithIdentity(identity(f"s{n}", preferred_username="same")))

    await sign_in(SignInWithIdentity(identity("last", preferred_username="same")))

    names = {u.username for u in uow.store.users.values()}
    assert {"same", *(f"same{n}" for n in range(2, 21))} <= names
    (random,) = names - {"same", *(f"same{n}" for n in range(2, 21))}
    assert random.startswith("user-")
