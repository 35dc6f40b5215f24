"""/api/v1/admin/users/{id}/...: what administrators do to an account besides deleting it."""

from __future__ import annotations

import uuid
from typing import ClassVar

import falcon.asgi

from api import admin_schemas
from api.openapi import Operations, json_response, problem
from api.resources.admin_users import NOT_FOUND, AdminResource, admin_operation, user_view
from core.admin.access import AuthorizeAdmin
from core.admin.account_access import (
    AccountAccessChange,
    DisableUserHandler,
    EnableUserHandler,
    EndSessionsHandler,
)
from core.admin.password_reset import MailPasswordReset, MailPasswordResetHandler

_user = admin_schemas.AdminUser()
_changed = json_response("The account as it is now", admin_schemas.AdminUser)


class AdminUserDisable(AdminResource):
    openapi: ClassVar[Operations] = {
        "post": {
            **admin_operation(
                "Disable an account: no sign-in, every session ended at once",
                "adminDisableUser",
                {"200": _changed, "404": NOT_FOUND},
            ),
            "description": "Sign-in (password, refresh grant, pages) is refused with 403 "
            '"account disabled"; the account\'s access tokens are refused (401) from the next '
            "request and its refresh tokens revoked. Administrators cannot disable their own "
            "account (403).",
        }
    }

    def __init__(self, *, authorize: AuthorizeAdmin, disable: DisableUserHandler) -> None:
        super().__init__(authorize=authorize)
        self._disable = disable

    async def on_post(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, user_id: uuid.UUID
    ) -> None:
        actor = await self._admin(req)
        user = await self._disable(AccountAccessChange(actor, user_id))
        resp.media = _user.dump(user_view(user))


class AdminUserEnable(AdminResource):
    openapi: ClassVar[Operations] = {
        "post": admin_operation(
            "Enable a disabled account: sign-in works again",
            "adminEnableUser",
            {"200": _changed, "404": NOT_FOUND},
        )
    }

    def __init__(self, *, authorize: AuthorizeAdmin, enable: EnableUserHandler) -> None:
        super().__init__(authorize=authorize)
        self._enable = enable

    async def on_post(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, user_id: uuid.UUID
    ) -> None:
        actor = await self._admin(req)
        user = await self._enable(AccountAccessChange(actor, user_id))
        resp.media = _user.dump(user_view(user))


class AdminUserPasswordReset(AdminResource):
    openapi: ClassVar[Operations] = {
        "post": {
            **admin_operation(
                "Mail the account a password reset link",
                "adminMailPasswordReset",
                {
                    "202": {"description": "The mail is on its way"},
                    "404": NOT_FOUND,
                    "429": problem("The address has had its quota of such mails"),
                },
            ),
            "description": "The link `/password/forgot` mails (valid 30 minutes); the "
            "address's mail quota applies.",
        }
    }

    def __init__(self, *, authorize: AuthorizeAdmin, mail_reset: MailPasswordResetHandler) -> None:
        super().__init__(authorize=authorize)
        self._mail_reset = mail_reset

    async def on_post(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, user_id: uuid.UUID
    ) -> None:
        actor = await self._admin(req)
        await self._mail_reset(MailPasswordReset(actor, user_id))
        resp.status = 202


class AdminUserSessions(AdminResource):
    openapi: ClassVar[Operations] = {
        "delete": {
            **admin_operation(
                "End every session of the account",
                "adminEndSessions",
                {"204": {"description": "Ended"}, "404": NOT_FOUND},
            ),
            "description": "Its access tokens are refused (401) from the next request, its "
            "refresh tokens and browser sessions revoked; the password stays.",
        }
    }

    def __init__(self, *, authorize: AuthorizeAdmin, end_sessions: EndSessionsHandler) -> None:
        super().__init__(authorize=authorize)
        self._end_sessions = end_sessions

    async def on_delete(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, user_id: uuid.UUID
    ) -> None:
        actor = await self._admin(req)
        await self._end_sessions(AccountAccessChange(actor, user_id))
        resp.status = 204
