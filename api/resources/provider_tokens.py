"""/api/v1/token/oidc: an ID token a client obtained itself, exchanged for the service's tokens."""

from __future__ import annotations

from typing import ClassVar

import falcon.asgi
from marshmallow import Schema, fields, validate

from api import mfa_schemas
from api.auth import client_address
from api.body import load_body
from api.openapi import BODY_PROBLEMS, Operations, json_body, json_response, problem
from api.problems import Problem
from api.resources.tokens import token_response
from api.schemas import Token
from core.identities.sign_in import SignInWithIdentity, SignInWithIdentityHandler
from core.ports import IdentityProviders


class ProviderTokenRequest(Schema):
    provider = fields.String(
        required=True,
        validate=validate.Length(1, 32),
        metadata={"description": "The provider's short name, as in OIDC_PROVIDERS."},
    )
    id_token = fields.String(
        required=True,
        load_only=True,
        # ID tokens are a few kilobytes; at this length any body of valid fields stays within
        # MAX_BODY_BYTES, even written with JSON escapes (6 bytes a character).
        validate=validate.Length(1, 8192),
        metadata={"description": "An ID token the provider issued for this service's client id."},
    )
    nonce = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(1, 512),
        metadata={"description": "The nonce the client sent in its authorization request."},
    )


_request = ProviderTokenRequest()


class ProviderToken:
    rate_limit_group = "token"
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": ["tokens"],
            "summary": "Sign in with an OpenID Connect provider's ID token",
            "description": "The ID token is checked against the provider's keys (JWKS), issuer, "
            "this service's client id (and `azp` when it has several audiences), expiry and "
            "the nonce. The identity (issuer, subject) linked to an account signs in to it; "
            "else an account is made when the provider says the address is verified and no "
            "account has it. The answer is that of /api/v1/token/access.",
            "operationId": "issueAccessTokenForIdToken",
            "requestBody": json_body(ProviderTokenRequest),
            "responses": {
                "200": json_response("Tokens", Token),
                "401": problem(
                    "The ID token is invalid, expired, for another audience, or without this nonce"
                ),
                "403": {
                    "description": "The provider has not verified the address, or sign-in is "
                    "blocked; or the account asks for a second factor: `type` ends in "
                    "mfa-required, and `mfa_token` and `methods` say how to go on (POST "
                    "/api/v1/token/mfa), as after the right password.",
                    "content": {"application/problem+json": {"schema": mfa_schemas.SignInProblem}},
                },
                "409": problem(
                    "An account has this address and no link to this identity: "
                    "sign in to it and link the provider on the account page"
                ),
                **BODY_PROBLEMS,
            },
        }
    }

    def __init__(
        self,
        *,
        providers: IdentityProviders,
        sign_in: SignInWithIdentityHandler,
        max_body_bytes: int,
    ) -> None:
        self._providers = providers
        self._sign_in = sign_in
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        data = await load_body(req, _request, self._max_body)
        info = self._providers.get(data["provider"])
        if info is None or not info.issues_id_tokens:
            known = [p.name for p in self._providers.listed() if p.issues_id_tokens]
            message = f"Not a provider of ID tokens here; these are: {', '.join(known) or 'none'}."
            raise Problem(422, "The request has invalid fields.", errors={"provider": [message]})
        identity = await self._providers.identity_from_id_token(
            info.name, data["id_token"], data["nonce"]
        )
        command = SignInWithIdentity(identity, client_address(req), req.user_agent)
        token_response(resp, await self._sign_in(command))
