"""The account page's sessions: where the account is signed in, and the forms that end one
session or every other one (the commands of DELETE /api/v1/sessions/{id} and DELETE
/api/v1/sessions)."""

from __future__ import annotations

import uuid
from typing import Any

import falcon.asgi

from api.auth import client_address
from api.pages.kit import Page, PageKit, redirect
from core.domain import NotFound
from core.sessions.end_sessions import (
    EndOtherSessions,
    EndOtherSessionsHandler,
    EndSession,
    EndSessionHandler,
)
from core.sessions.list_sessions import ListSessions, ListSessionsHandler
from core.sessions.session_user import SignedIn


class SessionList:
    """What the account page shows of the sessions."""

    def __init__(self, list_sessions: ListSessionsHandler) -> None:
        self._list = list_sessions

    async def account_context(self, signed_in: SignedIn) -> dict[str, Any]:
        user = signed_in.user
        query = ListSessions(user.id, user.token_version, session_id=signed_in.session_id)
        return {"sessions": await self._list(query)}


class EndSessionPage(Page):
    """/account/sessions/end: the "end" button of one session (its id in the form). Ending the
    browser's own session signs it out."""

    def __init__(self, kit: PageKit, *, end: EndSessionHandler) -> None:
        super().__init__(kit)
        self._end = end

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        values = await self._kit.form(req)
        signed_in = await self._kit.sessions.current(req, resp)
        if signed_in is None:
            redirect(resp, "/login?notice=sign-in-first")
            return
        try:
            ended = uuid.UUID(values.get("session_id", ""))
            user = signed_in.user
            await self._end(
                EndSession(
                    user_id=user.id,
                    ended=ended,
                    token_version=user.token_version,
                    session_id=signed_in.session_id,
                    client_ip=client_address(req),
                    user_agent=req.user_agent,
                )
            )
        except (ValueError, NotFound):
            # Ended meanwhile (another tab, another device), or no session of this account.
            redirect(resp, "/account?notice=session-gone#sessions")
            return
        if ended == signed_in.session_id:
            self._kit.sessions.end(resp)
            redirect(resp, "/?notice=signed-out")
            return
        redirect(resp, "/account?notice=session-ended#sessions")


class EndOtherSessionsPage(Page):
    """/account/sessions/end-others: "sign out everywhere else"."""

    def __init__(self, kit: PageKit, *, end_others: EndOtherSessionsHandler) -> None:
        super().__init__(kit)
        self._end_others = end_others

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        await self._kit.form(req)
        signed_in = await self._kit.sessions.current(req, resp)
        if signed_in is None:
            redirect(resp, "/login?notice=sign-in-first")
            return
        user = signed_in.user
        command = EndOtherSessions(
            user_id=user.id,
            token_version=user.token_version,
            session_id=signed_in.session_id,
            client_ip=client_address(req),
            user_agent=req.user_agent,
        )
        await self._end_others(command)
        redirect(resp, "/account?notice=other-sessions-ended#sessions")
