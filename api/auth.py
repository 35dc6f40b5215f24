from __future__ import annotations

from typing import Any

import falcon
import falcon.asgi

from core.domain import Unauthenticated
from core.ports import AccessClaims, TokenIssuer


def bearer_claims(req: falcon.Request, tokens: TokenIssuer) -> AccessClaims:
    """The claims of the request's bearer token; Unauthenticated (401) otherwise."""
    scheme, _, token = (req.auth or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Send an access token: Authorization: Bearer <token>.")
    return tokens.verify(token.strip())


class Authentication:
    """Verifies the bearer token for responders listed in the resource's `auth_required`.

    A failure is kept, not raised, so that rate limiting still counts the request by IP;
    the responder raises it through `current_user`. Whether the token's version is still the
    user's, and its session live, is checked by the handler that loads the user anyway (see
    GetProfileHandler).
    """

    def __init__(self, tokens: TokenIssuer) -> None:
        self._tokens = tokens

    async def process_resource(
        self,
        req: falcon.asgi.Request,
        resp: falcon.asgi.Response,
        resource: object,
        params: dict[str, object],
    ) -> None:
        if req.method not in getattr(resource, "auth_required", ()):
            return
        try:
            claims = bearer_claims(req, self._tokens)
        except Unauthenticated as error:
            req.context.auth_error = error
        else:
            req.context.user_id = claims.user_id
            req.context.claims = claims


def current_user(req: falcon.Request) -> AccessClaims:
    claims: AccessClaims | None = getattr(req.context, "claims", None)
    if claims is None:
        raise getattr(req.context, "auth_error", None) or Unauthenticated(
            "Send an access token: Authorization: Bearer <token>."
        )
    return claims


def bearer(req: falcon.Request) -> dict[str, Any]:
    """The caller as every command of an access token's bearer takes it: `user_id`,
    `token_version` and `session_id` (its `sub`, `ver` and `sid`), which the handler checks
    with the user's row (see core.sessions.bearer); Unauthenticated (401) without a token."""
    claims = current_user(req)
    return {
        "user_id": claims.user_id,
        "token_version": claims.token_version,
        "session_id": claims.session_id,
    }


def client_address(req: falcon.Request) -> str | None:
    """The client's IP address as RequestContext worked it out (trusted proxies considered)."""
    address: str | None = getattr(req.context, "client_ip", None)
    return address
