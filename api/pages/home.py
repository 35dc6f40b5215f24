from __future__ import annotations

import falcon.asgi

from api.pages.kit import Page


class HomePage(Page):
    """/: what the service is, and links to every page."""

    template = "home.html"
    title = "Accounts"

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        self._show(req, resp, user=await self._kit.sessions.user(req, resp))
