"""The routes that take or send a mailed single-use token: confirm an address, reset the
password, cancel or revert an email change."""

from __future__ import annotations

from typing import ClassVar

import falcon
import falcon.asgi

from api import schemas
from api.auth import bearer, client_address
from api.body import load_body
from api.openapi import BODY_PROBLEMS, Operations, json_body, problem
from core.users.cancel_email_change import CancelEmailChange, CancelEmailChangeHandler
from core.users.confirm_email import ConfirmEmail, ConfirmEmailHandler
from core.users.request_password_reset import RequestPasswordReset, RequestPasswordResetHandler
from core.users.resend_verification import ResendVerification, ResendVerificationHandler
from core.users.reset_password import ResetPassword, ResetPasswordHandler

_confirmation = schemas.EmailConfirmation()
_forgotten = schemas.PasswordForgotten()
_reset = schemas.PasswordReset()
_cancellation = schemas.EmailChangeCancellation()
# A mailed token that does not work is answered like a malformed body.
_TOKEN_PROBLEMS = {
    **BODY_PROBLEMS,
    "400": problem("Malformed body, or the token is invalid, expired or already used"),
}


class EmailVerification:
    """/api/v1/users/verify-email: the token mailed to the address marks it verified."""

    rate_limit_group = "users"
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": ["users"],
            "summary": "Confirm an email address with the token mailed to it",
            "description": "The token works once, for 24 hours, and only while the account "
            "still has (or, for an email change, still awaits) the address it was mailed to. "
            "A pending address becomes the account's.",
            "operationId": "verifyEmail",
            "requestBody": json_body(schemas.EmailConfirmation),
            "responses": {"204": {"description": "The address is verified"}, **_TOKEN_PROBLEMS},
        }
    }

    def __init__(self, *, confirm: ConfirmEmailHandler, max_body_bytes: int) -> None:
        self._confirm = confirm
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        data = await load_body(req, _confirmation, self._max_body)
        await self._confirm(ConfirmEmail(data["token"], client_address(req), req.user_agent))
        resp.status = 204


class EmailVerificationResend:
    """/api/v1/users/verify-email/resend: mail the caller a fresh confirmation token."""

    rate_limit_group = "users"
    auth_required = frozenset({"POST"})
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": ["users"],
            "summary": "Mail a fresh confirmation token to the own address",
            "description": "Tokens mailed before stop working. At most a few per hour.",
            "operationId": "resendVerification",
            "responses": {
                "202": {"description": "A confirmation mail is on its way"},
                "409": problem("The address is already verified"),
            },
        }
    }

    def __init__(self, *, resend: ResendVerificationHandler) -> None:
        self._resend = resend

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        await self._resend(ResendVerification(**bearer(req)))
        resp.status = 202


class PasswordForgot:
    """/api/v1/password/forgot: mail a reset token. Always 202, whether or not the address
    belongs to an account."""

    rate_limit_group = "users"
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": ["password"],
            "summary": "Mail a password reset token",
            "description": "Always 202, whether or not an account has this address; if one "
            "has, a token valid for 30 minutes is mailed to it.",
            "operationId": "forgotPassword",
            "requestBody": json_body(schemas.PasswordForgotten),
            "responses": {"202": {"description": "Accepted"}, **BODY_PROBLEMS},
        }
    }

    def __init__(self, *, request_reset: RequestPasswordResetHandler, max_body_bytes: int) -> None:
        self._request_reset = request_reset
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        data = await load_body(req, _forgotten, self._max_body)
        await self._request_reset(RequestPasswordReset(data["email"], client_address(req)))
        resp.status = 202


class PasswordResetResource:
    """/api/v1/password/reset: a mailed reset token and a new password."""

    rate_limit_group = "users"
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": ["password"],
            "summary": "Set a new password with a mailed reset token",
            "description": "Ends every session: refresh tokens are revoked and access "
            "tokens issued before are refused.",
            "operationId": "resetPassword",
            "requestBody": json_body(schemas.PasswordReset),
            "responses": {"204": {"description": "The password is changed"}, **_TOKEN_PROBLEMS},
        }
    }

    def __init__(self, *, reset: ResetPasswordHandler, max_body_bytes: int) -> None:
        self._reset = reset
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        data = await load_body(req, _reset, self._max_body)
        await self._reset(
            ResetPassword(data["token"], data["new_password"], client_address(req), req.user_agent)
        )
        resp.status = 204


class EmailChangeCancellation:
    """/api/v1/users/email-change/cancel: the old address cancels or reverts an email change."""

    rate_limit_group = "users"
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": ["users"],
            "summary": "Cancel a pending email change, or revert a confirmed one",
            "description": "With the token mailed to the account's address when a change was "
            "asked for, the change is dropped; with the one mailed to the old address when it "
            "was confirmed (valid 7 days), the old address comes back and a password reset "
            "mail goes to it. Either way every session of the account ends.",
            "operationId": "cancelEmailChange",
            "requestBody": json_body(schemas.EmailChangeCancellation),
            "responses": {
                "204": {"description": "Cancelled or reverted; every session ended"},
                "409": problem("The old address belongs to another account by now"),
                **_TOKEN_PROBLEMS,
            },
        }
    }

    def __init__(self, *, cancel: CancelEmailChangeHandler, max_body_bytes: int) -> None:
        self._cancel = cancel
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        data = await load_body(req, _cancellation, self._max_body)
        await self._cancel(CancelEmailChange(data["token"], client_address(req), req.user_agent))
        resp.status = 204
