"""/api/v1/mfa: the caller's second factors. Every change needs the password (and, once two-step
sign-in is on, a code or a passkey's answer) in the same request: an access token alone changes
nothing here. Passkeys have their resources in api/resources/passkeys.py."""

from __future__ import annotations

from typing import Any, ClassVar

import falcon
import falcon.asgi

from api import mfa_schemas
from api.auth import bearer, client_address
from api.body import load_body
from api.openapi import BODY_PROBLEMS, Operations, json_body, json_response, problem
from core.mfa.confirm_totp import ConfirmTotp, ConfirmTotpHandler
from core.mfa.disable_totp import DisableTotp, DisableTotpHandler
from core.mfa.get_status import GetMfaStatus, GetMfaStatusHandler
from core.mfa.regenerate_recovery_codes import (
    RegenerateRecoveryCodes,
    RegenerateRecoveryCodesHandler,
)
from core.mfa.start_totp import StartTotp, StartTotpHandler

_start = mfa_schemas.TotpStart()
_confirm = mfa_schemas.TotpConfirmation()
_reauthentication = mfa_schemas.SecondFactorReauthentication()
_status = mfa_schemas.MfaStatus()
_enrolment = mfa_schemas.TotpEnrolment()
_codes = mfa_schemas.RecoveryCodes()
_wrong = problem("Password, code or passkey wrong (each counts as a failed login)")
_not_on = problem("Two-step sign-in is not on")


def _client(req: falcon.asgi.Request) -> dict[str, Any]:
    """The caller and its client, for the operations that re-authenticate it."""
    return {**bearer(req), "client_ip": client_address(req), "user_agent": req.user_agent}


class MfaStatus:
    """/api/v1/mfa: which second factors the caller has."""

    rate_limit_group = "users"
    auth_required = frozenset({"GET"})
    openapi: ClassVar[Operations] = {
        "get": {
            "tags": ["two-step sign-in"],
            "summary": "Own second factors",
            "operationId": "getMfaStatus",
            "responses": {"200": json_response("OK", mfa_schemas.MfaStatus)},
        }
    }

    def __init__(self, *, get_status: GetMfaStatusHandler) -> None:
        self._get_status = get_status

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        status = await self._get_status(GetMfaStatus(**bearer(req)))
        resp.media = _status.dump(status)


class Totp:
    """/api/v1/mfa/totp: start turning two-step sign-in on (POST), or turn it off (DELETE)."""

    rate_limit_group = "users"
    auth_required = frozenset({"POST", "DELETE"})
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": ["two-step sign-in"],
            "summary": "Start turning two-step sign-in on: a new TOTP secret",
            "description": "RFC 6238: SHA-1, 6 digits, 30 s. Sign-in asks for no code until "
            "one made from this secret is sent to /api/v1/mfa/totp/confirm; a secret not "
            "confirmed yet is replaced by the next one.",
            "operationId": "startTotp",
            "requestBody": json_body(mfa_schemas.TotpStart),
            "responses": {
                "201": json_response("Pending", mfa_schemas.TotpEnrolment),
                "403": problem("Password or passkey wrong (each counts as a failed login)"),
                "409": problem("Two-step sign-in is on already"),
                **BODY_PROBLEMS,
            },
        },
        "delete": {
            "tags": ["two-step sign-in"],
            "summary": "Turn two-step sign-in off",
            "description": "Deletes the TOTP secret and the recovery codes.",
            "operationId": "disableTotp",
            "requestBody": json_body(mfa_schemas.SecondFactorReauthentication),
            "responses": {
                "204": {"description": "Off"},
                "403": _wrong,
                "409": _not_on,
                **BODY_PROBLEMS,
            },
        },
    }

    def __init__(
        self, *, start: StartTotpHandler, disable: DisableTotpHandler, max_body_bytes: int
    ) -> None:
        self._start = start
        self._disable = disable
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        caller = _client(req)
        data = await load_body(req, _start, self._max_body)
        enrolment = await self._start(StartTotp(**caller, **data))
        resp.status = 201
        resp.media = _enrolment.dump(enrolment)

    async def on_delete(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        caller = _client(req)
        data = await load_body(req, _reauthentication, self._max_body)
        await self._disable(DisableTotp(**caller, **data))
        resp.status = 204


class TotpConfirmation:
    """/api/v1/mfa/totp/confirm: a code made from the new secret turns two-step sign-in on."""

    rate_limit_group = "users"
    auth_required = frozenset({"POST"})
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": ["two-step sign-in"],
            "summary": "Turn two-step sign-in on: a code from the new secret",
            "operationId": "confirmTotp",
            "requestBody": json_body(mfa_schemas.TotpConfirmation),
            "responses": {
                "200": json_response("On; the recovery codes", mfa_schemas.RecoveryCodes),
                "403": problem("The code is wrong"),
                "409": problem("No secret waiting to be confirmed, or on already"),
                **BODY_PROBLEMS,
            },
        }
    }

    def __init__(self, *, confirm: ConfirmTotpHandler, max_body_bytes: int) -> None:
        self._confirm = confirm
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        caller = _client(req)
        data = await load_body(req, _confirm, self._max_body)
        codes = await self._confirm(ConfirmTotp(**caller, **data))
        resp.media = _codes.dump({"recovery_codes": codes})


class RecoveryCodes:
    """/api/v1/mfa/recovery-codes: a fresh set of recovery codes; the old set stops working."""

    rate_limit_group = "users"
    auth_required = frozenset({"POST"})
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": ["two-step sign-in"],
            "summary": "New recovery codes",
            "operationId": "regenerateRecoveryCodes",
            "requestBody": json_body(mfa_schemas.SecondFactorReauthentication),
            "responses": {
                "200": json_response("The new codes", mfa_schemas.RecoveryCodes),
                "403": _wrong,
                "409": _not_on,
                **BODY_PROBLEMS,
            },
        }
    }

    def __init__(self, *, regenerate: RegenerateRecoveryCodesHandler, max_body_bytes: int) -> None:
        self._regenerate = regenerate
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        caller = _client(req)
        data = await load_body(req, _reauthentication, self._max_body)
        codes = await self._regenerate(RegenerateRecoveryCodes(**caller, **data))
        resp.media = _codes.dump({"recovery_codes": codes})
