"""/api/v1/users/security-events: the caller's audit trail."""

from __future__ import annotations

from typing import ClassVar

import falcon.asgi

from api import schemas
from api.auth import bearer
from api.body import load
from api.openapi import Operations, json_response, problem
from core.audit.list_security_events import ListSecurityEvents, ListSecurityEventsHandler

_query = schemas.SecurityEventQuery()
_page = schemas.SecurityEventPage()


class SecurityEvents:
    """The caller's security events (sign-ins, password and address changes, ...), newest first,
    a page at a time."""

    rate_limit_group = "users"
    auth_required = frozenset({"GET"})
    openapi: ClassVar[Operations] = {
        "get": {
            "tags": ["users"],
            "summary": "Own security events, newest first",
            "description": "Sign-ins (and failed ones), locks, password and address changes, "
            "sessions ended for a stolen refresh token, each with the client's address and "
            "device. Kept for AUDIT_RETENTION_DAYS. Page with `next_cursor`: events recorded "
            "meanwhile do not shift the pages.",
            "operationId": "listSecurityEvents",
            "parameters": [{"in": "query", "schema": schemas.SecurityEventQuery}],
            "responses": {
                "200": json_response("A page of events", schemas.SecurityEventPage),
                "422": problem("Invalid limit or cursor"),
            },
        }
    }

    def __init__(self, *, list_events: ListSecurityEventsHandler) -> None:
        self._list = list_events

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        caller = bearer(req)
        query = load(_query, req.params)
        page = await self._list(ListSecurityEvents(**caller, **query))
        resp.media = _page.dump(page)
