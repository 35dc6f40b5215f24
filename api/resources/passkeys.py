"""/api/v1/mfa/passkeys: the caller's passkeys. Adding one starts with the password (and the
second factor the account has) in the same request, and so does removing one: an access token
alone adds or removes nothing. Renaming needs only the token."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

import falcon
import falcon.asgi

from api import passkey_schemas
from api.auth import bearer, client_address
from api.body import load_body
from api.openapi import BODY_PROBLEMS, Operations, json_body, json_response, problem
from core.passkeys.begin_registration import (
    BeginPasskeyRegistration,
    BeginPasskeyRegistrationHandler,
)
from core.passkeys.begin_step_up import BeginPasskeyStepUp, BeginPasskeyStepUpHandler
from core.passkeys.ceremony import Ceremony
from core.passkeys.delete_passkey import DeletePasskey, DeletePasskeyHandler
from core.passkeys.finish_registration import (
    FinishPasskeyRegistration,
    FinishPasskeyRegistrationHandler,
)
from core.passkeys.rename_passkey import RenamePasskey, RenamePasskeyHandler

_start = passkey_schemas.PasskeyRegistrationStart()
_registration = passkey_schemas.PasskeyRegistration()
_rename = passkey_schemas.PasskeyRename()
_removal = passkey_schemas.PasskeyRemoval()
_ceremony = passkey_schemas.Ceremony()
_passkey = passkey_schemas.Passkey()
_TAGS = ["passkeys"]
_wrong = problem("Password, code or passkey wrong (each counts as a failed login)")
_not_found = problem("The caller has no passkey of this id")
_refused = problem(
    "The passkey's answer was refused: malformed, from another origin, without user "
    "verification, or its challenge unknown, used, expired or another's"
)


def _client(req: falcon.asgi.Request) -> dict[str, Any]:
    return {**bearer(req), "client_ip": client_address(req), "user_agent": req.user_agent}


def ceremony_media(ceremony: Ceremony) -> dict[str, Any]:
    return dict(_ceremony.dump(ceremony))


class PasskeyRegistrationOptions:
    """/api/v1/mfa/passkeys/options: re-authenticate, and get the options to create a passkey."""

    rate_limit_group = "users"
    auth_required = frozenset({"POST"})
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": _TAGS,
            "summary": "Start adding a passkey: the options for navigator.credentials.create()",
            "description": "Needs `current_password` and, when the account has a second factor "
            "already, `code`, `recovery_code` or `passkey` (422 without; 403 and a failed login "
            "when wrong). The options ask for a discoverable credential with user verification, "
            "attestation none, and exclude the passkeys the account has. Send the browser's "
            "answer to POST /api/v1/mfa/passkeys within 5 minutes.",
            "operationId": "startPasskeyRegistration",
            "requestBody": json_body(passkey_schemas.PasskeyRegistrationStart),
            "responses": {
                "200": json_response("The ceremony", passkey_schemas.Ceremony),
                "403": _wrong,
                **BODY_PROBLEMS,
            },
        }
    }

    def __init__(self, *, begin: BeginPasskeyRegistrationHandler, max_body_bytes: int) -> None:
        self._begin = begin
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        caller = _client(req)
        data = await load_body(req, _start, self._max_body)
        resp.media = ceremony_media(await self._begin(BeginPasskeyRegistration(**caller, **data)))


class Passkeys:
    """/api/v1/mfa/passkeys: the browser's answer to the registration ceremony stores a passkey."""

    rate_limit_group = "users"
    auth_required = frozenset({"POST"})
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": _TAGS,
            "summary": "Add a passkey: the browser's answer to the registration options",
            "description": "From then on the passkey signs in alone, and a password sign-in "
            "asks for it (or another second factor). The account's address is mailed.",
            "operationId": "registerPasskey",
            "requestBody": json_body(passkey_schemas.PasskeyRegistration),
            "responses": {
                "201": json_response("Added", passkey_schemas.Passkey),
                "400": _refused,
                "409": problem("This passkey is registered already"),
                **BODY_PROBLEMS,
            },
        }
    }

    def __init__(self, *, finish: FinishPasskeyRegistrationHandler, max_body_bytes: int) -> None:
        self._finish = finish
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        caller = _client(req)
        data = await load_body(req, _registration, self._max_body)
        passkey = await self._finish(
            FinishPasskeyRegistration(
                challenge_id=data["challenge_id"],
                response=data["credential"],
                name=data.get("name"),
                **caller,
            )
        )
        resp.status = 201
        resp.media = _passkey.dump(passkey)


class OnePasskey:
    """/api/v1/mfa/passkeys/{passkey_id}: rename (PATCH) or remove (DELETE) one passkey."""

    rate_limit_group = "users"
    auth_required = frozenset({"PATCH", "DELETE"})
    openapi: ClassVar[Operations] = {
        "patch": {
            "tags": _TAGS,
            "summary": "Rename a passkey",
            "operationId": "renamePasskey",
            "requestBody": json_body(passkey_schemas.PasskeyRename),
            "responses": {
                "200": json_response("Renamed", passkey_schemas.Passkey),
                "404": _not_found,
                **BODY_PROBLEMS,
            },
        },
        "delete": {
            "tags": _TAGS,
            "summary": "Remove a passkey",
            "description": "Needs `current_password` and a second factor: `code`, "
            "`recovery_code` or `passkey` (this passkey or another). It signs nobody in any "
            "more; without another passkey or an authenticator app, sign-in asks for the "
            "password alone again.",
            "operationId": "deletePasskey",
            "requestBody": json_body(passkey_schemas.PasskeyRemoval),
            "responses": {
                "204": {"description": "Removed"},
                "403": _wrong,
                "404": _not_found,
                **BODY_PROBLEMS,
            },
        },
    }

    def __init__(
        self,
        *,
        rename: RenamePasskeyHandler,
        delete: DeletePasskeyHandler,
        max_body_bytes: int,
    ) -> None:
        self._rename = rename
        self._delete = delete
        self._max_body = max_body_bytes

    async def on_patch(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, passkey_id: uuid.UUID
    ) -> None:
        caller = bearer(req)
        data = await load_body(req, _rename, self._max_body)
        renamed = await self._rename(RenamePasskey(passkey_id=passkey_id, **caller, **data))
        resp.media = _passkey.dump(renamed)

    async def on_delete(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, passkey_id: uuid.UUID
    ) -> None:
        caller = _client(req)
        data = await load_body(req, _removal, self._max_body)
        await self._delete(DeletePasskey(passkey_id=passkey_id, **caller, **data))
        resp.status = 204


class PasskeyStepUpOptions:
    """/api/v1/mfa/passkeys/step-up-options: a challenge to confirm a sensitive change with."""

    rate_limit_group = "users"
    auth_required = frozenset({"POST"})
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": _TAGS,
            "summary": "Confirm a change with a passkey: options for navigator.credentials.get()",
            "description": "The browser's answer goes, as `passkey` beside the password, with "
            "the request of the change it confirms (PATCH or DELETE /api/v1/users, the second "
            "factors): once, within 5 minutes. The options allow the caller's passkeys only.",
            "operationId": "startPasskeyStepUp",
            "responses": {
                "200": json_response("The ceremony", passkey_schemas.Ceremony),
                "409": problem("The account has no passkey"),
            },
        }
    }

    def __init__(self, *, begin: BeginPasskeyStepUpHandler) -> None:
        self._begin = begin

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.media = ceremony_media(await self._begin(BeginPasskeyStepUp(**bearer(req))))
