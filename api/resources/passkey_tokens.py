"""/api/v1/token/passkey and /api/v1/token/mfa/passkey-options: signing in with a passkey, alone
or as the second step after the password."""

from __future__ import annotations

from typing import ClassVar

import falcon.asgi

from api import passkey_schemas, schemas
from api.auth import client_address
from api.body import load_body
from api.openapi import BODY_PROBLEMS, Operations, json_body, json_response, problem
from api.resources.passkeys import ceremony_media
from api.resources.tokens import token_response
from core.mfa.begin_passkey_second_step import (
    BeginPasskeySecondStep,
    BeginPasskeySecondStepHandler,
)
from core.passkeys.begin_sign_in import BeginPasskeySignIn, BeginPasskeySignInHandler
from core.passkeys.sign_in import SignInWithPasskey, SignInWithPasskeyHandler

_sign_in = passkey_schemas.PasskeySignIn()
_second_step = passkey_schemas.SecondStepPasskeyOptions()
_TAGS = ["tokens"]
_ceremony = json_response("The ceremony", passkey_schemas.Ceremony)


class PasskeySignInOptions:
    """/api/v1/token/passkey/options: a challenge for signing in with a passkey alone."""

    rate_limit_group = "token"
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": _TAGS,
            "summary": "Log in with a passkey: the options for navigator.credentials.get()",
            "description": "A discoverable sign-in: the options name no passkey "
            "(allowCredentials is empty), the browser offers those it holds for this site, and "
            "require user verification. Send the answer to POST /api/v1/token/passkey within "
            "5 minutes.",
            "operationId": "startPasskeySignIn",
            "responses": {"200": _ceremony},
        }
    }

    def __init__(self, *, begin: BeginPasskeySignInHandler) -> None:
        self._begin = begin

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.media = ceremony_media(await self._begin(BeginPasskeySignIn()))


class PasskeySignIn:
    """/api/v1/token/passkey: a passkey's answer for a token pair."""

    rate_limit_group = "token"
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": _TAGS,
            "summary": "Log in with a passkey: its answer for an access token and a refresh token",
            "description": 'The access token\'s `amr` is ["hwk"]. An answer that does not '
            "verify is a 401, and a failed login of the passkey's account when it names one "
            "(the lockout of /api/v1/token/access applies).",
            "operationId": "signInWithPasskey",
            "requestBody": json_body(passkey_schemas.PasskeySignIn),
            "responses": {
                "200": json_response("Tokens", schemas.Token),
                "401": problem("The passkey could not be verified"),
                "403": problem("Sign-in blocked: the email address was rejected"),
                **BODY_PROBLEMS,
            },
        }
    }

    def __init__(self, *, sign_in: SignInWithPasskeyHandler, max_body_bytes: int) -> None:
        self._sign_in = sign_in
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        data = await load_body(req, _sign_in, self._max_body)
        command = SignInWithPasskey(
            data["challenge_id"], data["credential"], client_address(req), req.user_agent
        )
        token_response(resp, await self._sign_in(command))


class SecondStepPasskeyOptions:
    """/api/v1/token/mfa/passkey-options: a challenge for the second step, with a passkey."""

    rate_limit_group = "token"
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": _TAGS,
            "summary": "Log in, second step with a passkey: the options for "
            "navigator.credentials.get()",
            "description": "`mfa_token` comes from the 403 mfa-required answer of "
            "/api/v1/token/access (whose `methods` include passkey); it is not used up here. "
            "The options allow that account's passkeys. Send the answer as `passkey`, with the "
            "mfa_token, to POST /api/v1/token/mfa.",
            "operationId": "startPasskeySecondStep",
            "requestBody": json_body(passkey_schemas.SecondStepPasskeyOptions),
            "responses": {
                "200": _ceremony,
                "401": problem("mfa_token invalid, expired or used"),
                "409": problem("The account has no passkey"),
                **BODY_PROBLEMS,
            },
        }
    }

    def __init__(self, *, begin: BeginPasskeySecondStepHandler, max_body_bytes: int) -> None:
        self._begin = begin
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        data = await load_body(req, _second_step, self._max_body)
        resp.media = ceremony_media(await self._begin(BeginPasskeySecondStep(data["mfa_token"])))
