"""What both kinds of provider do over HTTP, with the errors and log lines an operator needs:
the provider, its issuer and the reason; never a code or a token."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client

from adapters.oidc.settings import ProviderSettings
from core.domain.identities import IdentityRejected, ProviderUnavailable
from core.ports import CodeGrant

log = logging.getLogger("adapters.oidc")

REJECTED = {
    "code_rejected": "The sign-in with {label} has expired or was used already. Start again.",
    "no_id_tokens": "{label} issues no ID tokens: sign in with it in a browser instead.",
}
DEFAULT_REJECTED = "{label} could not confirm who you are. Start the sign-in again."


def rejected(settings: ProviderSettings, reason: str) -> IdentityRejected:
    log.warning(
        "sign-in through a provider refused",
        extra={"provider": settings.name, "issuer": settings.issuer, "reason": reason},
    )
    detail = REJECTED.get(reason, DEFAULT_REJECTED).format(label=settings.label)
    return IdentityRejected(reason, detail)


class ProviderHttp:
    def __init__(self, settings: ProviderSettings, client: AsyncOAuth2Client) -> None:
        self._settings = settings
        self._client = client

    def unavailable(self, reason: str, status: int | None = None) -> ProviderUnavailable:
        log.error(
            "identity provider unavailable",
            extra={
                "provider": self._settings.name,
                "issuer": self._settings.issuer,
                "reason": reason,
                "status": status,
            },
        )
        return ProviderUnavailable(self._settings.label, reason)

    async def get_json(self, url: str, what: str, bearer: str | None = None) -> Any:
        headers = {"Accept": "application/json"}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        try:
            response = await self._client.request("GET", url, headers=headers, withhold_token=True)
        except httpx.TimeoutException:
            raise self.unavailable(f"{what}_timeout") from None
        except httpx.HTTPError:
            raise self.unavailable(f"{what}_network") from None
        if response.status_code != 200:
            raise self.unavailable(f"{what}_status", response.status_code)
        return self._json(response, what)

    def _json(self, response: httpx.Response, what: str) -> Any:
        try:
            body = response.json()
        except ValueError:
            raise self.unavailable(f"{what}_not_json", response.status_code) from None
        if not isinstance(body, dict | list):
            raise self.unavailable(f"{what}_not_json", response.status_code)
        return body

    async def exchange(self, token_endpoint: str, grant: CodeGrant) -> dict[str, Any]:
        """The token response for the code, with the PKCE verifier of its request."""
        try:
            token = await self._client.fetch_token(
                token_endpoint,
                code=grant.code,
                code_verifier=grant.code_verifier,
                redirect_uri=grant.redirect_uri,
            )
        except OAuthError as error:
            if error.error in ("invalid_grant", "bad_verification_code"):
                raise rejected(self._settings, "code_rejected") from None
            raise self.unavailable(f"token_error_{error.error}") from None
        except httpx.TimeoutException:
            raise self.unavailable("token_timeout") from None
        except httpx.HTTPStatusError as error:
            raise self.unavailable("token_status", error.response.status_code) from None
        except httpx.HTTPError:
            raise self.unavailable("token_network") from None
        except (ValueError, TypeError):
            raise self.unavailable("token_not_json") from None
        finally:
            # The client is shared by every sign-in: it keeps no one's token.
            self._client.token = None
        return dict(token)
