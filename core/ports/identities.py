"""Ports of sign-in through outside providers: the providers themselves, and the identities
linked to accounts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.domain.identities import ExternalIdentity, LinkedIdentity


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    name: str
    """The short name in the settings and in the paths (/login/<name>)."""
    label: str
    """What people call it, on its button."""
    issuer: str
    issues_id_tokens: bool
    """OpenID Connect providers do; GitHub (OAuth 2.0 only) does not."""


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """Where to send the person, and the values the return must match: kept by the caller
    (bound to the browser) until the provider sends the person back."""

    url: str
    state: str
    nonce: str | None
    code_verifier: str


@dataclass(frozen=True, slots=True)
class CodeGrant:
    """What came back: the code, and the values of the request it answers."""

    code: str
    code_verifier: str
    nonce: str | None
    redirect_uri: str


class IdentityProviders(Protocol):
    """The providers people may sign in with, in the order of the settings.

    Each method raises IdentityRejected when the answer proves nothing (a code the provider
    refused, a token that fails a check) and ProviderUnavailable when the provider does not
    answer in time or answers what its protocol does not allow. Both are logged with the
    provider, its issuer and the reason, never a token or a code."""

    def listed(self) -> Sequence[ProviderInfo]: ...

    def get(self, name: str) -> ProviderInfo | None: ...

    async def authorization_request(self, name: str, redirect_uri: str) -> AuthorizationRequest:
        """An authorization code request with PKCE (S256), a fresh state, and a nonce for
        OpenID Connect providers."""
        ...

    async def identity_from_code(self, name: str, grant: CodeGrant) -> ExternalIdentity:
        """Exchange the code; the identity its ID token (checked against the provider's keys,
        issuer, our client id and the nonce) or the provider's API says."""
        ...

    async def identity_from_id_token(
        self, name: str, id_token: str, nonce: str
    ) -> ExternalIdentity:
        """The identity an ID token a client obtained itself says, checked as above."""
        ...


class LinkedIdentityRepository(Protocol):
    """Linked identities by (issuer, subject), inside the unit of work's transaction."""

    async def add(self, identity: LinkedIdentity) -> None:
        """Raises IdentityTaken when (issuer, subject) is linked already."""
        ...

    async def find(self, issuer: str, subject: str) -> LinkedIdentity | None: ...

    async def of_user(self, user_id: uuid.UUID) -> list[LinkedIdentity]: ...

    async def used(self, identity_id: uuid.UUID, now: datetime) -> None: ...

    async def remove(self, user_id: uuid.UUID, identity_id: uuid.UUID) -> bool:
        """Unlink one of the user's identities; False when the user has no such link."""
        ...
