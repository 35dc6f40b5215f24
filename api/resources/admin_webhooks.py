"""/api/v1/admin/webhooks: administrators register, change and delete the endpoints account
events are POSTed to. Every responder first asks AuthorizeAdmin (401 without a valid token,
403 for anyone but an administrator)."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any, ClassVar

import falcon.asgi

from api import webhook_schemas as shapes
from api.body import load_body
from api.openapi import BODY_PROBLEMS, Operations, json_body, json_response, problem
from api.resources.admin_users import AdminResource, admin_operation
from core.admin.access import AuthorizeAdmin
from core.domain.webhooks import WebhookEndpoint
from core.webhooks.change_endpoint import ChangeEndpoint, ChangeEndpointHandler
from core.webhooks.create_endpoint import CreateEndpoint, CreateEndpointHandler
from core.webhooks.delete_endpoint import DeleteEndpoint, DeleteEndpointHandler
from core.webhooks.list_endpoints import (
    GetEndpoint,
    GetEndpointHandler,
    ListEndpoints,
    ListEndpointsHandler,
)

PREFIX = "/api/v1/admin/webhooks"
NOT_FOUND = problem("No webhook endpoint has this id")
_endpoint = shapes.WebhookEndpoint()
with_secret = shapes.WebhookEndpointWithSecret()
SECRET_SHOWN_ONCE = json_response(
    "The endpoint, with its signing secret (shown this once)", shapes.WebhookEndpointWithSecret
)


def endpoint_view(endpoint: WebhookEndpoint, secret: str | None = None) -> dict[str, Any]:
    """An endpoint as the schemas dump it: everything but the sealed secret (and the secret in
    the clear, when it is to be shown once)."""
    view = {f.name: getattr(endpoint, f.name) for f in dataclasses.fields(endpoint)}
    del view["sealed_secret"]
    shown = {"secret": secret} if secret is not None else {}
    return {**view, "event_types": list(endpoint.event_types), **shown}


class WebhookResource(AdminResource):
    auth_required: ClassVar[frozenset[str]] = frozenset({"GET", "POST", "PATCH", "DELETE"})

    def __init__(self, *, authorize: AuthorizeAdmin, max_body_bytes: int = 0) -> None:
        super().__init__(authorize=authorize)
        self._max_body_bytes = max_body_bytes


class AdminWebhooks(WebhookResource):
    openapi: ClassVar[Operations] = {
        "get": admin_operation(
            "List the webhook endpoints",
            "adminListWebhooks",
            {"200": json_response("Every endpoint, oldest first", shapes.WebhookEndpointList)},
        ),
        "post": {
            **admin_operation(
                "Register a webhook endpoint",
                "adminCreateWebhook",
                {"201": SECRET_SHOWN_ONCE, **BODY_PROBLEMS},
            ),
            "description": "It receives the events of its types that occur from now on, each "
            "signed with its secret (Standard Webhooks: `webhook-id`, `webhook-timestamp`, "
            "`webhook-signature`). 422 for an event type the topic does not have, or a URL "
            "that is not https, carries credentials, or points at a private address.",
            "requestBody": json_body(shapes.WebhookCreate),
        },
    }

    def __init__(
        self,
        *,
        authorize: AuthorizeAdmin,
        list_endpoints: ListEndpointsHandler,
        create: CreateEndpointHandler,
        max_body_bytes: int,
    ) -> None:
        super().__init__(authorize=authorize, max_body_bytes=max_body_bytes)
        self._list = list_endpoints
        self._create = create

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        endpoints = await self._list(ListEndpoints(await self._admin(req)))
        resp.media = shapes.WebhookEndpointList().dump(
            {"items": [endpoint_view(e) for e in endpoints]}
        )

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        actor = await self._admin(req)
        body = await load_body(req, shapes.WebhookCreate(), self._max_body_bytes)
        command = CreateEndpoint(actor, body["url"], tuple(body["event_types"]), body["active"])
        created = await self._create(command)
        resp.status = 201
        resp.location = f"{PREFIX}/{created.endpoint.id}"
        resp.media = with_secret.dump(endpoint_view(created.endpoint, created.secret))


class AdminWebhook(WebhookResource):
    openapi: ClassVar[Operations] = {
        "get": admin_operation(
            "A webhook endpoint",
            "adminGetWebhook",
            {"200": json_response("The endpoint", shapes.WebhookEndpoint), "404": NOT_FOUND},
        ),
        "patch": {
            **admin_operation(
                "Change a webhook endpoint: its URL, event types, or whether it receives",
                "adminUpdateWebhook",
                {
                    "200": json_response("The endpoint as it is now", shapes.WebhookEndpoint),
                    "404": NOT_FOUND,
                    **BODY_PROBLEMS,
                },
            ),
            "description": "At least one field; the rules of registration apply.",
            "requestBody": json_body(shapes.WebhookUpdate),
        },
        "delete": admin_operation(
            "Delete a webhook endpoint and its delivery log",
            "adminDeleteWebhook",
            {"204": {"description": "Deleted"}, "404": NOT_FOUND},
        ),
    }

    def __init__(
        self,
        *,
        authorize: AuthorizeAdmin,
        get: GetEndpointHandler,
        change: ChangeEndpointHandler,
        delete: DeleteEndpointHandler,
        max_body_bytes: int,
    ) -> None:
        super().__init__(authorize=authorize, max_body_bytes=max_body_bytes)
        self._get = get
        self._change = change
        self._delete = delete

    async def on_get(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, endpoint_id: uuid.UUID
    ) -> None:
        endpoint = await self._get(GetEndpoint(await self._admin(req), endpoint_id))
        resp.media = _endpoint.dump(endpoint_view(endpoint))

    async def on_patch(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, endpoint_id: uuid.UUID
    ) -> None:
        actor = await self._admin(req)
        body = await load_body(req, shapes.WebhookUpdate(), self._max_body_bytes)
        types = body.get("event_types")
        command = ChangeEndpoint(
            actor,
            endpoint_id,
            url=body.get("url"),
            event_types=tuple(types) if types is not None else None,
            active=body.get("active"),
        )
        resp.media = _endpoint.dump(endpoint_view(await self._change(command)))

    async def on_delete(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, endpoint_id: uuid.UUID
    ) -> None:
        await self._delete(DeleteEndpoint(await self._admin(req), endpoint_id))
        resp.status = 204
