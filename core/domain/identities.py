"""Identities at outside providers (OpenID Connect issuers, GitHub) and the accounts they sign
in to. An identity is (issuer, subject): the provider's own stable name for the person. Its email
address is only what the provider says today, never the key."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from core.domain.account_fields import UNUSABLE_PASSWORD, USERNAME_PATTERN
from core.domain.errors import Conflict, DomainError, Forbidden, InvalidCredentials, Unavailable
from core.domain.users import User

EXTERNAL_AMR = ("ext",)
"""How a sign-in through a provider authenticated the person (RFC 8176: an outside party)."""
PASSWORD_AMR = ("pwd",)


@dataclass(frozen=True, slots=True)
class ExternalIdentity:
    """What a provider vouched for. Built only by an IdentityProviders adapter, from an ID token
    whose signature, issuer, audience, expiry and nonce it checked, or from the provider's API
    over the access token the code was exchanged for."""

    provider: str
    """The provider's short name in the settings (`local`, `google`, `github`)."""
    label: str
    """Its name as people know it ("Google")."""
    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    preferred_username: str | None = None


@dataclass(frozen=True, slots=True)
class LinkedIdentity:
    id: uuid.UUID
    user_id: uuid.UUID
    issuer: str
    subject: str
    provider: str
    email: str | None
    """The provider's address for the person when the link was made."""
    created_at: datetime
    last_used_at: datetime | None = None

    @classmethod
    def link(cls, user: User, identity: ExternalIdentity, now: datetime) -> LinkedIdentity:
        return cls(
            id=uuid.uuid4(),
            user_id=user.id,
            issuer=identity.issuer,
            subject=identity.subject,
            provider=identity.provider,
            email=identity.email,
            created_at=now,
        )


def has_usable_password(user: User) -> bool:
    return user.password_hash != UNUSABLE_PASSWORD


def username_candidates(identity: ExternalIdentity, attempts: int) -> list[str]:
    """Usernames to try for an account made from `identity`, best first: the provider's
    preferred username or the address's local part, cut to the rules, then with a number."""
    wanted = identity.preferred_username or (identity.email or "").partition("@")[0]
    base = re.sub(r"[^A-Za-z0-9_.-]+", "", wanted)[:28] or "user"
    base = base.ljust(3, "_")
    names = [base, *(f"{base}{n}" for n in range(2, attempts + 1))]
    return [name for name in names if USERNAME_PATTERN.fullmatch(name)]


class IdentityRejected(InvalidCredentials):
    """The provider's answer does not prove an identity: a token with a bad signature, for
    another audience or issuer, expired, without the nonce of this sign-in, or a code the
    provider refused (expired, used). `reason` is for the log, `detail` for the person."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class ProviderUnavailable(Unavailable):
    """The provider did not answer in time, or answered something that is not what its
    protocol says."""

    def __init__(self, label: str, reason: str) -> None:
        super().__init__(f"{label} is not answering as it should. Try again in a few minutes.")
        self.reason = reason


class EmailNotVerified(Forbidden):
    def __init__(self, label: str) -> None:
        super().__init__(
            f"{label} has not confirmed your email address, so it cannot open or create an "
            f"account here. Confirm the address with {label} first, or sign up with a password."
        )


class LinkRequired(Conflict):
    """An account already has the identity's address and no link to it: its owner must sign
    in to that account to link the provider (no account is ever taken over by address)."""

    def __init__(self, identity: ExternalIdentity) -> None:
        DomainError.__init__(
            self,
            f"An account with this email address exists. Sign in to it, then link "
            f"{identity.label} on the account page.",
        )
        self.field = "email"
        self.identity = identity


class IdentityTaken(Conflict):
    def __init__(self, label: str) -> None:
        DomainError.__init__(self, f"This {label} account is linked to another account already.")
        self.field = "identity"


class LastWayToSignIn(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "This is the only way to sign in to the account: set a password first (Forgot "
            "your password? mails a link), or link another provider."
        )


def account_for(identity: ExternalIdentity, username: str, now: datetime) -> User:
    """A new account for a person a provider vouched for: the address confirmed (the provider
    confirmed it), and no usable password until a reset sets one."""
    assert identity.email is not None
    assert identity.email_verified
    user = User.register(
        username=username, email=identity.email, password_hash=UNUSABLE_PASSWORD, now=now
    )
    return replace(user, email_verified=True)
