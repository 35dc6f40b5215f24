from __future__ import annotations

from typing import ClassVar

import falcon.asgi

from api import mfa_schemas, schemas
from api.auth import client_address
from api.body import FORM, JSON, load_body
from api.openapi import BODY_PROBLEMS, Operations, json_body, json_response, problem
from core.mfa.complete_sign_in import CompleteSignIn, CompleteSignInHandler
from core.ports import TokenIssuer
from core.tokens.issue_access_token import IssueAccessToken, IssueAccessTokenHandler
from core.tokens.issued import IssuedTokens
from core.tokens.refresh_access_token import RefreshAccessToken, RefreshAccessTokenHandler
from core.tokens.revoke_refresh_token import RevokeRefreshToken, RevokeRefreshTokenHandler

_request = schemas.TokenRequest()
_refresh = schemas.RefreshRequest()
_revoke = schemas.RevokeRequest()
_second_step = mfa_schemas.MfaSignIn()
_tokens = json_response("Tokens", schemas.Token)
_sign_in_blocked = problem("Sign-in blocked: the email address was rejected")
_sign_in_refused = {
    "description": "Sign-in blocked (the email address was rejected); or the password is right "
    "and the account asks for a second factor: `type` ends in mfa-required, and `mfa_token` "
    "and `methods` say how to go on (POST /api/v1/token/mfa, after POST "
    "/api/v1/token/mfa/passkey-options for a passkey).",
    "content": {"application/problem+json": {"schema": mfa_schemas.SignInProblem}},
}


def token_response(resp: falcon.asgi.Response, issued: IssuedTokens) -> None:
    """The OAuth2 token response (RFC 6749 section 5.1) of a sign-in or a refresh."""
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
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": ["tokens"],
            "summary": "Log in: password for an access token and a refresh token",
            "operationId": "issueAccessToken",
            "requestBody": json_body(schemas.TokenRequest, form=True),
            "responses": {
                "200": _tokens,
                "401": problem("Wrong username or password"),
                "403": _sign_in_refused,
                **BODY_PROBLEMS,
            },
        }
    }

    def __init__(self, *, issue: IssueAccessTokenHandler, max_body_bytes: int) -> None:
        self._issue = issue
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        data = await load_body(req, _request, self._max_body, accept=(JSON, FORM))
        issued = await self._issue(
            IssueAccessToken(
                login=data["username"],
                password=data["password"],
                client_ip=client_address(req),
                user_agent=req.user_agent,
            )
        )
        token_response(resp, issued)


class SecondStepToken:
    """/api/v1/token/mfa: the second step of a sign-in, the mfa_token of the first one and a code
    (or a recovery code), for the token pair the first step did not give."""

    rate_limit_group = "token"
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": ["tokens"],
            "summary": "Log in, second step: mfa_token and a code or a passkey for the token pair",
            "description": "`mfa_token` comes from the 403 mfa-required answer of "
            "/api/v1/token/access; it works once, for 5 minutes. Give `code` (from the "
            "authenticator app; each is accepted once), `recovery_code` (each works once) or "
            "`passkey` (JSON only: a passkey's answer to POST /api/v1/token/mfa/passkey-options). "
            "A wrong one counts as a failed login. The access token's `amr` says which was used: "
            '["pwd", "otp"], ["pwd", "rcv"] or ["pwd", "hwk"].',
            "operationId": "completeSignIn",
            "requestBody": json_body(mfa_schemas.MfaSignIn, form=mfa_schemas.MfaSignInForm),
            "responses": {
                "200": _tokens,
                "401": problem(
                    "mfa_token invalid, expired or used; or the code or the passkey is wrong"
                ),
                "403": _sign_in_blocked,
                **BODY_PROBLEMS,
            },
        }
    }

    def __init__(self, *, complete: CompleteSignInHandler, max_body_bytes: int) -> None:
        self._complete = complete
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        data = await load_body(req, _second_step, self._max_body, accept=(JSON, FORM))
        issued = await self._complete(
            CompleteSignIn(**data, client_ip=client_address(req), user_agent=req.user_agent)
        )
        token_response(resp, issued)


class TokenRefresh:
    """/api/v1/token/refresh: a refresh token (JSON or OAuth2 refresh-grant form) for a new
    token pair; the refresh token presented is used up."""

    rate_limit_group = "token"
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": ["tokens"],
            "summary": "Refresh token for a new access token and refresh token",
            "description": "The refresh token presented is used up. Presented again within "
            "REFRESH_REUSE_GRACE_SECONDS of that use (two tabs refreshing at once), it gets the "
            "same new refresh token; later, or when revoked, it revokes every token descended "
            "from the same login. A login's tokens end REFRESH_FAMILY_MAX_SECONDS after it.",
            "operationId": "refreshAccessToken",
            "requestBody": json_body(schemas.RefreshRequest, form=True),
            "responses": {
                "200": _tokens,
                "401": problem("Refresh token unknown, expired, revoked or already used"),
                "403": _sign_in_blocked,
                **BODY_PROBLEMS,
            },
        }
    }

    def __init__(self, *, refresh: RefreshAccessTokenHandler, max_body_bytes: int) -> None:
        self._refresh = refresh
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        data = await load_body(req, _refresh, self._max_body, accept=(JSON, FORM))
        command = RefreshAccessToken(data["refresh_token"], client_address(req), req.user_agent)
        token_response(resp, await self._refresh(command))


class TokenRevocation:
    """/api/v1/token/revoke: log out, revoking a refresh token and its family. The answer is
    the same whether or not the token existed (RFC 7009)."""

    rate_limit_group = "token"
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": ["tokens"],
            "summary": "Log out: revoke a refresh token and every token of its login",
            "description": "Succeeds whether or not the token exists (RFC 7009). The session "
            "ends: its access tokens are refused from the next request on.",
            "operationId": "revokeRefreshToken",
            "requestBody": json_body(schemas.RevokeRequest, form=True),
            "responses": {"200": {"description": "Revoked, or not a live token"}, **BODY_PROBLEMS},
        }
    }

    def __init__(self, *, revoke: RevokeRefreshTokenHandler, max_body_bytes: int) -> None:
        self._revoke = revoke
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        data = await load_body(req, _revoke, self._max_body, accept=(JSON, FORM))
        await self._revoke(
            RevokeRefreshToken(data["refresh_token"], client_address(req), req.user_agent)
        )
        resp.cache_control = ["no-store"]
        resp.status = 200


class Jwks:
    """/.well-known/jwks.json: the public keys that verify our access tokens."""

    openapi: ClassVar[Operations] = {
        "get": {
            "tags": ["tokens"],
            "summary": "Public keys that verify access tokens (JWKS)",
            "operationId": "jwks",
            "responses": {
                "200": {
                    "description": "JSON Web Key Set",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    }

    def __init__(self, tokens: TokenIssuer) -> None:
        self._tokens = tokens

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.cache_control = ["public", "max-age=300"]
        resp.media = self._tokens.public_keys()
