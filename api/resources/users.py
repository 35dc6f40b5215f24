from __future__ import annotations

from typing import ClassVar

import falcon
import falcon.asgi

from api import schemas
from api.auth import bearer, client_address
from api.body import load_body
from api.dumps import attribute_dump
from api.openapi import BODY_PROBLEMS, Operations, json_body, json_response, problem
from core.users.delete_account import DeleteAccount, DeleteAccountHandler
from core.users.get_profile import GetProfile, GetProfileHandler
from core.users.register import RegisterUser, RegisterUserHandler
from core.users.update_profile import UpdateProfile, UpdateProfileHandler

_create = schemas.UserCreate()
_update = schemas.UserUpdate()
_delete = schemas.UserDelete()
# The profile every response of this resource carries (GET is the API's hottest path).
_user = attribute_dump(schemas.User())
_taken = problem("Username or email already registered")


class Users:
    """/api/v1/users: register (POST) and the caller's own profile (GET, PATCH, DELETE)."""

    rate_limit_group = "users"
    auth_required = frozenset({"GET", "PATCH", "DELETE"})
    openapi: ClassVar[Operations] = {
        "post": {
            "tags": ["users"],
            "summary": "Register",
            "operationId": "registerUser",
            "requestBody": json_body(schemas.UserCreate),
            "responses": {
                "201": json_response("Created", schemas.User),
                "409": _taken,
                **BODY_PROBLEMS,
            },
        },
        "get": {
            "tags": ["users"],
            "summary": "Own profile",
            "operationId": "getProfile",
            "responses": {"200": json_response("OK", schemas.User)},
        },
        "patch": {
            "tags": ["users"],
            "summary": "Update own profile",
            "description": "A new email or password needs `current_password` (a wrong one "
            "counts as a failed sign-in) and, when two-step sign-in is on, `code` or "
            "`recovery_code` (422 without; 403 and a failed sign-in when wrong). A new email "
            "becomes `pending_email` until the link mailed to it is opened; the current address "
            "is mailed a link that cancels it.",
            "operationId": "updateProfile",
            "requestBody": json_body(schemas.UserUpdate),
            "responses": {
                "200": json_response("Updated", schemas.User),
                "403": problem("Current password or code is wrong"),
                "409": _taken,
                **BODY_PROBLEMS,
            },
        },
        "delete": {
            "tags": ["users"],
            "summary": "Delete own account",
            "description": "Needs `password` and, when two-step sign-in is on, `code` or "
            "`recovery_code` (422 without; 403 and a failed sign-in when wrong).",
            "operationId": "deleteAccount",
            "requestBody": json_body(schemas.UserDelete),
            "responses": {
                "204": {"description": "Deleted"},
                "403": problem("Password or code is wrong"),
                **BODY_PROBLEMS,
            },
        },
    }

    def __init__(
        self,
        *,
        register: RegisterUserHandler,
        get_profile: GetProfileHandler,
        update_profile: UpdateProfileHandler,
        delete_account: DeleteAccountHandler,
        max_body_bytes: int,
    ) -> None:
        self._register = register
        self._get_profile = get_profile
        self._update_profile = update_profile
        self._delete_account = delete_account
        self._max_body = max_body_bytes

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        data = await load_body(req, _create, self._max_body)
        user = await self._register(RegisterUser(**data))
        resp.status = 201
        resp.location = "/api/v1/users"
        resp.media = _user(user)

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        user = await self._get_profile(GetProfile(**bearer(req)))
        resp.media = _user(user)

    async def on_patch(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        caller = bearer(req)
        data = await load_body(req, _update, self._max_body)
        user = await self._update_profile(
            UpdateProfile(
                **caller,
                client_ip=client_address(req),
                user_agent=req.user_agent,
                **data,
            )
        )
        resp.media = _user(user)

    async def on_delete(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        caller = bearer(req)
        data = await load_body(req, _delete, self._max_body)
        await self._delete_account(
            DeleteAccount(
                **caller,
                client_ip=client_address(req),
                user_agent=req.user_agent,
                **data,
            )
        )
        resp.status = 204
