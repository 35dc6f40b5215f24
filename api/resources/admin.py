"""The administrators' routes, under /api/v1/admin/."""

from __future__ import annotations

from typing import Any

import falcon.asgi
from injector import Injector

from api.resources.admin_user_actions import (
    AdminUserDisable,
    AdminUserEnable,
    AdminUserPasswordReset,
    AdminUserSessions,
)
from api.resources.admin_users import AdminUser, AdminUsers
from core.admin.access import AuthorizeAdmin
from core.admin.account_access import DisableUserHandler, EnableUserHandler, EndSessionsHandler
from core.admin.delete_user import DeleteUserHandler
from core.admin.password_reset import MailPasswordResetHandler
from core.admin.search_users import SearchUsersHandler
from core.admin.user_details import GetUserDetailsHandler

PREFIX = "/api/v1/admin/users"


def add_admin_routes(app: falcon.asgi.App[Any, Any], injector: Injector) -> None:
    authorize = injector.get(AuthorizeAdmin)
    one = f"{PREFIX}/{{user_id:uuid}}"
    app.add_route(PREFIX, AdminUsers(authorize=authorize, search=injector.get(SearchUsersHandler)))
    app.add_route(
        one,
        AdminUser(
            authorize=authorize,
            details=injector.get(GetUserDetailsHandler),
            delete=injector.get(DeleteUserHandler),
        ),
    )
    app.add_route(
        f"{one}/disable",
        AdminUserDisable(authorize=authorize, disable=injector.get(DisableUserHandler)),
    )
    app.add_route(
        f"{one}/enable",
        AdminUserEnable(authorize=authorize, enable=injector.get(EnableUserHandler)),
    )
    app.add_route(
        f"{one}/password-reset",
        AdminUserPasswordReset(
            authorize=authorize, mail_reset=injector.get(MailPasswordResetHandler)
        ),
    )
    app.add_route(
        f"{one}/sessions",
        AdminUserSessions(authorize=authorize, end_sessions=injector.get(EndSessionsHandler)),
    )
