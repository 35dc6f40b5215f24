from __future__ import annotations

import falcon.asgi

from api import schemas
from api.body import FORM, JSON, load_body
from core.ports import TokenIssuer
from core.tokens.issue_access_token import IssueAccessToken, IssueAccessTokenHandler

_request = schemas.TokenRequest()


class AccessToken:
    """/api/v1/token/access: a password (JSON or OAuth2 password-grant form) for a token."""

    rate_limit_group = "token"

    def __init__(self, *, issue: IssueAccessTokenHandler, max_body_bytes: int) -> None:
        self._issue = issue
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        data = await load_body(req, _request, self._max_body, accept=(JSON, FORM))
        issued = await self._issue(
            IssueAccessToken(login=data["username"], password=data["password"])
        )
        resp.cache_control = ["no-store"]
        resp.media = {
            "access_token": issued.token,
            "token_type": "Bearer",
            "expires_in": issued.expires_in,
        }


class Jwks:
    """/.well-known/jwks.json: the public keys that verify our access tokens."""

    def __init__(self, tokens: TokenIssuer) -> None:
        self._tokens = tokens

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.cache_control = ["public", "max-age=300"]
        resp.media = self._tokens.public_keys()
