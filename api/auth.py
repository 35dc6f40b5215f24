from __future__ import annotations

import uuid

import falcon

from core.domain import Unauthenticated
from core.ports import TokenIssuer


def bearer_subject(req: falcon.Request, tokens: TokenIssuer) -> uuid.UUID:
    """The user id of the request's bearer token; Unauthenticated (401) otherwise."""
    scheme, _, token = (req.auth or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Send an access token: Authorization: Bearer <token>.")
    return tokens.subject(token.strip())
