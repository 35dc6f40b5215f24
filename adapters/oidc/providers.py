"""The configured providers behind the IdentityProviders port, each with its own HTTP client
(authlib's, on httpx), closed when the process stops."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from authlib.integrations.httpx_client import AsyncOAuth2Client

from adapters.lifecycle import Lifecycle
from adapters.oidc.github import GitHubProvider
from adapters.oidc.http import rejected
from adapters.oidc.openid import OpenIdProvider
from adapters.oidc.settings import ProviderSettings
from core.domain.identities import ExternalIdentity
from core.ports import AuthorizationRequest, Clock, CodeGrant, ProviderInfo


class Provider(Protocol):
    settings: ProviderSettings
    issues_id_tokens: bool

    async def authorization_request(self, redirect_uri: str) -> AuthorizationRequest: ...

    async def identity_from_code(self, grant: CodeGrant) -> ExternalIdentity: ...

    async def identity_from_id_token(self, id_token: str, nonce: str) -> ExternalIdentity: ...


def oauth_client(settings: ProviderSettings, timeout_seconds: float) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=settings.client_id,
        client_secret=settings.secret(),
        scope=" ".join(settings.scopes),
        code_challenge_method="S256",
        timeout=timeout_seconds,
    )


class ConfiguredProviders:
    def __init__(self, providers: Sequence[Provider]) -> None:
        self._providers = {p.settings.name: p for p in providers}
        self._listed = [
            ProviderInfo(p.settings.name, p.settings.label, p.settings.issuer, p.issues_id_tokens)
            for p in providers
        ]

    @classmethod
    def from_settings(
        cls,
        settings: Sequence[ProviderSettings],
        timeout_seconds: float,
        clock: Clock,
        lifecycle: Lifecycle,
    ) -> ConfiguredProviders:
        providers: list[Provider] = []
        for provider in settings:
            client = oauth_client(provider, timeout_seconds)
            lifecycle.closers.append(client.aclose)
            if provider.kind == "github":
                providers.append(GitHubProvider(provider, client))
            else:
                providers.append(OpenIdProvider(provider, client, clock))
        return cls(providers)

    def listed(self) -> Sequence[ProviderInfo]:
        return self._listed

    def get(self, name: str) -> ProviderInfo | None:
        return next((info for info in self._listed if info.name == name), None)

    async def authorization_request(self, name: str, redirect_uri: str) -> AuthorizationRequest:
        return await self._providers[name].authorization_request(redirect_uri)

    async def identity_from_code(self, name: str, grant: CodeGrant) -> ExternalIdentity:
        return await self._providers[name].identity_from_code(grant)

    async def identity_from_id_token(
        self, name: str, id_token: str, nonce: str
    ) -> ExternalIdentity:
        provider = self._providers[name]
        if not provider.issues_id_tokens:
            raise rejected(provider.settings, "no_id_tokens")
        return await provider.identity_from_id_token(id_token, nonce)
