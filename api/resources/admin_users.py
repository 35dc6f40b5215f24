"""/api/v1/admin/users: administrators list, look at, disable, enable and delete accounts, end
their sessions and mail them a password reset link. Every responder first asks AuthorizeAdmin
(401 without a valid token, 403 for anyone but an administrator)."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any, ClassVar

import falcon.asgi

from api import admin_schemas
from api.auth import current_user
from api.body import load
from api.openapi import Operations, json_response, problem
from core.admin.access import AuthorizeAdmin
from core.admin.actions import Actor
from core.admin.delete_user import DeleteUser, DeleteUserHandler
from core.admin.search_users import SearchUsers, SearchUsersHandler
from core.admin.user_details import GetUserDetails, GetUserDetailsHandler, UserDetails
from core.domain import User

_search = admin_schemas.AdminUserSearch()
_page = admin_schemas.AdminUserPage()
_details = admin_schemas.AdminUserDetails()

FORBIDDEN = problem("Not an administrator")
NOT_FOUND = problem("No account has this id")


def user_view(user: User) -> dict[str, Any]:
    """A user as the administrators' schemas dump it."""
    view = {f.name: getattr(user, f.name) for f in dataclasses.fields(user)}
    return {**view, "roles": sorted(user.roles), "status": user.status}


def details_view(details: UserDetails) -> dict[str, Any]:
    return {
        **user_view(details.user),
        "second_factor": details.second_factor,
        "recent_security_events": list(details.recent_security_events),
    }


def admin_operation(summary: str, operation_id: str, responses: dict[str, Any]) -> dict[str, Any]:
    return {
        "tags": ["admin"],
        "summary": summary,
        "operationId": operation_id,
        "responses": {**responses, "403": FORBIDDEN},
    }


class AdminResource:
    """What every administrators' resource shares: its route group, its bearer token, and the
    check that the token's user is an administrator."""

    rate_limit_group = "users"
    auth_required: ClassVar[frozenset[str]] = frozenset({"GET", "POST", "DELETE"})

    def __init__(self, *, authorize: AuthorizeAdmin) -> None:
        self._authorize = authorize

    async def _admin(self, req: falcon.asgi.Request) -> Actor:
        admin = await self._authorize(current_user(req))
        return Actor.administrator(admin.id)


class AdminUsers(AdminResource):
    openapi: ClassVar[Operations] = {
        "get": {
            **admin_operation(
                "List and search accounts",
                "adminListUsers",
                {
                    "200": json_response("A page of accounts", admin_schemas.AdminUserPage),
                    "422": problem("Invalid query parameters"),
                },
            ),
            "description": "Newest first. `q` matches the start of the username or the email "
            "address in any case. Pages follow one another by `cursor`: accounts created "
            "while paging come before the first page, and no account appears twice.",
            "parameters": [{"in": "query", "schema": admin_schemas.AdminUserSearch}],
        }
    }

    def __init__(self, *, authorize: AuthorizeAdmin, search: SearchUsersHandler) -> None:
        super().__init__(authorize=authorize)
        self._search = search

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        actor = await self._admin(req)
        params = load(_search, req.params)
        page = await self._search(
            SearchUsers(
                actor,
                query=params.get("q"),
                status=params.get("status"),
                limit=params["limit"],
                cursor=params.get("cursor"),
            )
        )
        resp.media = _page.dump(
            {"items": [user_view(u) for u in page.users], "next_cursor": page.next_cursor}
        )


class AdminUser(AdminResource):
    openapi: ClassVar[Operations] = {
        "get": admin_operation(
            "An account: profile, status, roles, second factor, recent security events",
            "adminGetUser",
            {
                "200": json_response("The account", admin_schemas.AdminUserDetails),
                "404": NOT_FOUND,
            },
        ),
        "delete": {
            **admin_operation(
                "Delete an account (it gets the goodbye mail)",
                "adminDeleteUser",
                {"204": {"description": "Deleted"}, "404": NOT_FOUND},
            ),
            "description": "Administrators cannot delete their own account here (403).",
        },
    }

    def __init__(
        self,
        *,
        authorize: AuthorizeAdmin,
        details: GetUserDetailsHandler,
        delete: DeleteUserHandler,
    ) -> None:
        super().__init__(authorize=authorize)
        self._details = details
        self._delete = delete

    async def on_get(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, user_id: uuid.UUID
    ) -> None:
        actor = await self._admin(req)
        details = await self._details(GetUserDetails(actor, user_id))
        resp.media = _details.dump(details_view(details))

    async def on_delete(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, user_id: uuid.UUID
    ) -> None:
        actor = await self._admin(req)
        await self._delete(DeleteUser(actor, user_id))
        resp.status = 204
