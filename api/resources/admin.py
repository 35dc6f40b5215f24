"""The administrators' routes, under /api/v1/admin/: accounts, and webhooks."""

from __future__ import annotations

from typing import Any

import falcon.asgi
from injector import Injector

from adapters.settings import Settings
from api.resources.admin_user_actions import (
    AdminUserDisable,
    AdminUserEnable,
    AdminUserPasswordReset,
    AdminUserSessions,
)
from api.resources.admin_users import AdminUser, AdminUsers
from api.resources.admin_webhook_actions import AdminWebhookDeliveries, AdminWebhookSecret
from api.resources.admin_webhooks import PREFIX as WEBHOOKS
from api.resources.admin_webhooks import AdminWebhook, AdminWebhooks
from core.admin.access import AuthorizeAdmin
from core.admin.account_access import DisableUserHandler, EnableUserHandler, EndSessionsHandler
from core.admin.delete_user import DeleteUserHandler
from core.admin.password_reset import MailPasswordResetHandler
from core.admin.search_users import SearchUsersHandler
from core.admin.user_details import GetUserDetailsHandler
from core.webhooks.change_endpoint import ChangeEndpointHandler, RotateSecretHandler
from core.webhooks.create_endpoint import CreateEndpointHandler
from core.webhooks.delete_endpoint import DeleteEndpointHandler
from core.webhooks.list_endpoints import (
    GetEndpointHandler,
    ListDeliveriesHandler,
    ListEndpointsHandler,
)

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
    _add_webhook_routes(app, injector, authorize)


def _add_webhook_routes(
    app: falcon.asgi.App[Any, Any], injector: Injector, authorize: AuthorizeAdmin
) -> None:
    body_limit = injector.get(Settings).max_body_bytes
    one = f"{WEBHOOKS}/{{endpoint_id:uuid}}"
    app.add_route(
        WEBHOOKS,
        AdminWebhooks(
            authorize=authorize,
            list_endpoints=injector.get(ListEndpointsHandler),
            create=injector.get(CreateEndpointHandler),
            max_body_bytes=body_limit,
        ),
    )
    app.add_route(
        one,
        AdminWebhook(
            authorize=authorize,
            get=injector.get(GetEndpointHandler),
            change=injector.get(ChangeEndpointHandler),
            delete=injector.get(DeleteEndpointHandler),
            max_body_bytes=body_limit,
        ),
    )
    app.add_route(
        f"{one}/secret",
        AdminWebhookSecret(authorize=authorize, rotate=injector.get(RotateSecretHandler)),
    )
    app.add_route(
        f"{one}/deliveries",
        AdminWebhookDeliveries(authorize=authorize, deliveries=injector.get(ListDeliveriesHandler)),
    )
