"""/api/v1/admin/webhooks/{id}/...: an endpoint's new signing secret, and its delivery log."""

from __future__ import annotations

import dataclasses
import uuid
from typing import ClassVar

import falcon.asgi

from api import webhook_schemas as shapes
from api.body import load
from api.openapi import Operations, json_response, problem
from api.resources.admin_users import admin_operation
from api.resources.admin_webhooks import (
    NOT_FOUND,
    SECRET_SHOWN_ONCE,
    WebhookResource,
    endpoint_view,
    with_secret,
)
from core.admin.access import AuthorizeAdmin
from core.webhooks.change_endpoint import RotateSecret, RotateSecretHandler
from core.webhooks.list_endpoints import ListDeliveries, ListDeliveriesHandler


class AdminWebhookSecret(WebhookResource):
    openapi: ClassVar[Operations] = {
        "post": {
            **admin_operation(
                "Give a webhook endpoint a new signing secret",
                "adminRotateWebhookSecret",
                {"200": SECRET_SHOWN_ONCE, "404": NOT_FOUND},
            ),
            "description": "The old secret stops at once: attempts from now on are signed "
            "with the new one.",
        }
    }

    def __init__(self, *, authorize: AuthorizeAdmin, rotate: RotateSecretHandler) -> None:
        super().__init__(authorize=authorize)
        self._rotate = rotate

    async def on_post(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, endpoint_id: uuid.UUID
    ) -> None:
        endpoint, secret = await self._rotate(RotateSecret(await self._admin(req), endpoint_id))
        resp.media = with_secret.dump(endpoint_view(endpoint, secret))


class AdminWebhookDeliveries(WebhookResource):
    openapi: ClassVar[Operations] = {
        "get": {
            **admin_operation(
                "The delivery log of a webhook endpoint",
                "adminListWebhookDeliveries",
                {
                    "200": json_response("A page of deliveries", shapes.WebhookDeliveryPage),
                    "404": NOT_FOUND,
                    "422": problem("Invalid query parameters"),
                },
            ),
            "description": "Newest first: each event's status (pending, delivered, failed), "
            "attempts, and the last answer or error. Pages follow one another by `cursor`.",
            "parameters": [{"in": "query", "schema": shapes.WebhookDeliveryQuery}],
        }
    }

    def __init__(self, *, authorize: AuthorizeAdmin, deliveries: ListDeliveriesHandler) -> None:
        super().__init__(authorize=authorize)
        self._deliveries = deliveries

    async def on_get(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, endpoint_id: uuid.UUID
    ) -> None:
        actor = await self._admin(req)
        params = load(shapes.WebhookDeliveryQuery(), req.params)
        page = await self._deliveries(
            ListDeliveries(actor, endpoint_id, params["limit"], params.get("cursor"))
        )
        items = [dataclasses.asdict(delivery) for delivery in page.items]
        resp.media = shapes.WebhookDeliveryPage().dump(
            {"items": items, "next_cursor": page.next_cursor}
        )
