"""/api/v1/sessions: the caller's sessions (one per sign-in), to see and to end."""

from __future__ import annotations

import uuid
from typing import ClassVar

import falcon.asgi

from api import session_schemas
from api.auth import bearer, client_address
from api.openapi import Operations, json_response, problem
from core.sessions.end_sessions import (
    EndOtherSessions,
    EndOtherSessionsHandler,
    EndSession,
    EndSessionHandler,
)
from core.sessions.list_sessions import ListSessions, ListSessionsHandler

_list = session_schemas.SessionList()
_ENDING = (
    "Its refresh tokens are revoked, and its access tokens refused from the next request on "
    "(tokens signed before sessions existed name none, and last until they expire)."
)


class UserSessions:
    """The caller's live sessions (GET), and signing out everywhere else (DELETE)."""

    rate_limit_group = "users"
    auth_required = frozenset({"GET", "DELETE"})
    openapi: ClassVar[Operations] = {
        "get": {
            "tags": ["sessions"],
            "summary": "Own live sessions, the most recently used first",
            "description": "One per sign-in (password, second step, provider, a browser's "
            "pages) that has not ended or expired. `current` marks the one of this request.",
            "operationId": "listSessions",
            "responses": {"200": json_response("OK", session_schemas.SessionList)},
        },
        "delete": {
            "tags": ["sessions"],
            "summary": "Sign out everywhere else: end every session but this one",
            "description": f"{_ENDING} A token from before sessions ends them all.",
            "operationId": "endOtherSessions",
            "responses": {"204": {"description": "Ended"}},
        },
    }

    def __init__(
        self, *, list_sessions: ListSessionsHandler, end_others: EndOtherSessionsHandler
    ) -> None:
        self._list = list_sessions
        self._end_others = end_others

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.media = _list.dump({"items": await self._list(ListSessions(**bearer(req)))})

    async def on_delete(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        await self._end_others(
            EndOtherSessions(
                **bearer(req), client_ip=client_address(req), user_agent=req.user_agent
            )
        )
        resp.status = 204


class UserSession:
    """One of the caller's sessions: ending it (DELETE)."""

    rate_limit_group = "users"
    auth_required = frozenset({"DELETE"})
    openapi: ClassVar[Operations] = {
        "delete": {
            "tags": ["sessions"],
            "summary": "End one of the own sessions (this one too, if asked)",
            "description": _ENDING,
            "operationId": "endSession",
            "responses": {
                "204": {"description": "Ended"},
                "404": problem("No live session of the caller has this id"),
            },
        }
    }

    def __init__(self, *, end: EndSessionHandler) -> None:
        self._end = end

    async def on_delete(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, session_id: uuid.UUID
    ) -> None:
        caller = bearer(req)
        await self._end(
            EndSession(
                **caller,
                ended=session_id,
                client_ip=client_address(req),
                user_agent=req.user_agent,
            )
        )
        resp.status = 204
