from __future__ import annotations

import uuid

import falcon
import falcon.asgi

from core.domain import Unauthenticated
from core.ports import TokenIssuer


def bearer_subject(req: falcon.Request, tokens: TokenIssuer) -> uuid.UUID:
    """The user id of the request's bearer token; Unauthenticated (401) otherwise."""
    scheme, _, token = (req.auth or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Send an access token: Authorization: Bearer <token>.")
    return tokens.subject(token.strip())


class Authentication:
    """Verifies the bearer token for responders listed in the resource's `auth_required`.

    A failure is kept, not raised, so that rate limiting still counts the request by IP;
    the responder raises it through `current_user`.
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
            req.context.user_id = bearer_subject(req, self._tokens)
        except Unauthenticated as error:
            req.context.auth_error = error


def current_user(req: falcon.Request) -> uuid.UUID:
    user_id: uuid.UUID | None = getattr(req.context, "user_id", None)
    if user_id is None:
        raise getattr(req.context, "auth_error", None) or Unauthenticated(
            "Send an access token: Authorization: Bearer <token>."
        )
    return user_id
