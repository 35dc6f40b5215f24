from __future__ import annotations

import falcon.asgi

from api import schemas
from api.body import FORM, JSON, load_body
from core.ports import TokenIssuer
from core.tokens.issue_access_token import IssueAccessToken, IssueAccessTokenHandler
from core.tokens.issued import IssuedTokens
from core.tokens.refresh_access_token import RefreshAccessToken, RefreshAccessTokenHandler
from core.tokens.revoke_refresh_token import RevokeRefreshToken, RevokeRefreshTokenHandler

_request = schemas.TokenRequest()
_refresh = schemas.RefreshRequest()
_revoke = schemas.RevokeRequest()


def _token_response(resp: falcon.asgi.Response, issued: IssuedTokens) -> None:
    resp.cache_control = ["no-store"]
    resp.media = {
        "access_token": issued.access.token,
        "token_type": "Bearer",
        "expires_in": issued.access.expires_in,
        "refresh_token": issued.refresh_token,
    }


class AccessToken:
    """/api/v1/token/access: a password (JSON or OAuth2 password-grant form) for a token pair."""

    rate_limit_group = "token"

    def __init__(self, *, issue: IssueAccessTokenHandler, max_body_bytes: int) -> None:
        self._issue = issue
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        data = await load_body(req, _request, self._max_body, accept=(JSON, FORM))
        issued = await self._issue(
            IssueAccessToken(login=data["username"], password=data["password"])
        )
        _token_response(resp, issued)


class TokenRefresh:
    """/api/v1/token/refresh: a refresh token (JSON or OAuth2 refresh-grant form) for a new
    token pair; the refresh token presented is used up."""

    rate_limit_group = "token"

    def __init__(self, *, refresh: RefreshAccessTokenHandler, max_body_bytes: int) -> None:
        self._refresh = refresh
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        data = await load_body(req, _refresh, self._max_body, accept=(JSON, FORM))
        _token_response(resp, await self._refresh(RefreshAccessToken(data["refresh_token"])))


class TokenRevocation:
    """/api/v1/token/revoke: log out, revoking a refresh token and its family. The answer is
    the same whether or not the token existed (RFC 7009)."""

    rate_limit_group = "token"

    def __init__(self, *, revoke: RevokeRefreshTokenHandler, max_body_bytes: int) -> None:
        self._revoke = revoke
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        data = await load_body(req, _revoke, self._max_body, accept=(JSON, FORM))
        await self._revoke(RevokeRefreshToken(data["refresh_token"]))
        resp.cache_control = ["no-store"]
        resp.status = 200


class Jwks:
    """/.well-known/jwks.json: the public keys that verify our access tokens."""

    def __init__(self, tokens: TokenIssuer) -> None:
        self._tokens = tokens

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.cache_control = ["public", "max-age=300"]
        resp.media = self._tokens.public_keys()
