"""GitHub as a provider: OAuth 2.0 (no OpenID Connect, so no ID token and no nonce), the
person's id from its user API and the address from its emails API: the primary address, and
verified only when GitHub says it is."""

from __future__ import annotations

from typing import Any

from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client

from adapters.oidc.http import ProviderHttp, rejected
from adapters.oidc.settings import ProviderSettings
from core.domain.identities import ExternalIdentity
from core.ports import AuthorizationRequest, CodeGrant

AUTHORIZE_URL = "https://github.com/login/oauth/authorize"
TOKEN_URL = "https://github.com/login/oauth/access_token"
API_URL = "https://api.github.com"


class GitHubProvider:
    issues_id_tokens = False

    def __init__(
        self,
        settings: ProviderSettings,
        client: AsyncOAuth2Client,
        *,
        authorize_url: str = AUTHORIZE_URL,
        token_url: str = TOKEN_URL,
        api_url: str = API_URL,
    ) -> None:
        self.settings = settings
        self._http = ProviderHttp(settings, client)
        self._client = client
        self._authorize_url = authorize_url
        self._token_url = token_url
        self._api_url = api_url.rstrip("/")

    async def authorization_request(self, redirect_uri: str) -> AuthorizationRequest:
        verifier = generate_token(48)
        url, state = self._client.create_authorization_url(
            self._authorize_url, redirect_uri=redirect_uri, code_verifier=verifier
        )
        return AuthorizationRequest(url, state, None, verifier)

    async def identity_from_code(self, grant: CodeGrant) -> ExternalIdentity:
        token = await self._http.exchange(self._token_url, grant)
        access = token.get("access_token")
        if not isinstance(access, str):
            raise self._http.unavailable("no_access_token")
        user = await self._http.get_json(f"{self._api_url}/user", "user", access)
        emails: Any = await self._http.get_json(f"{self._api_url}/user/emails", "emails", access)
        if not isinstance(user.get("id"), int) or not isinstance(emails, list):
            raise self._http.unavailable("unexpected_answer")
        primary = next(
            (e for e in emails if isinstance(e, dict) and e.get("primary") is True), None
        )
        email = primary.get("email") if primary else None
        login = user.get("login")
        return ExternalIdentity(
            provider=self.settings.name,
            label=self.settings.label,
            issuer=self.settings.issuer,
            subject=str(user["id"]),
            email=email if isinstance(email, str) else None,
            email_verified=bool(primary and primary.get("verified") is True),
            preferred_username=login if isinstance(login, str) else None,
        )

    async def identity_from_id_token(self, id_token: str, nonce: str) -> ExternalIdentity:
        raise rejected(self.settings, "no_id_tokens")
