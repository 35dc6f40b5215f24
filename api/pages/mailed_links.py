"""The pages the other mailed links open: confirm an address, cancel or revert an email change.

Opening a link changes nothing (mail scanners fetch links to look at them): the page says what
will happen, and its button posts the token.
"""

from __future__ import annotations

from typing import ClassVar

import falcon.asgi
from marshmallow import Schema

from api import schemas
from api.auth import client_address
from api.pages.forms import Form, given, succeeded
from api.pages.kit import Page, PageKit, redirect
from core.domain import User
from core.users.cancel_email_change import CancelEmailChange, CancelEmailChangeHandler
from core.users.confirm_email import ConfirmEmail, ConfirmEmailHandler


class _MailedLinkPage(Page):
    schema: ClassVar[Schema]
    button: ClassVar[str]

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        form = Form("link", {"token": req.get_param("token") or ""})
        user = await self._kit.sessions.user(req, resp)
        self._show(req, resp, form, user, action=req.path, button=self.button)

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        values = await self._kit.form(req)
        form = Form.of("link", values)
        data = form.load(self.schema, given(values, "token"))
        user = await self._kit.sessions.user(req, resp)
        if data is not None and await succeeded(form, self._use(data["token"], req)):
            redirect(resp, self._done(user))
            return
        self._show(req, resp, form, user, action=req.path, button=self.button)

    async def _use(self, token: str, req: falcon.Request) -> None:
        raise NotImplementedError

    def _done(self, user: User | None) -> str:
        """Where the person goes once the token was used."""
        raise NotImplementedError


class ConfirmEmailPage(_MailedLinkPage):
    """/verify-email?token=: confirm an address (ConfirmEmailHandler, as POST
    /api/v1/users/verify-email)."""

    template = "verify_email.html"
    title = "Confirm your email address"
    button = "Confirm my email address"
    schema = schemas.EmailConfirmation()

    def __init__(self, kit: PageKit, *, confirm: ConfirmEmailHandler) -> None:
        super().__init__(kit)
        self._confirm = confirm

    async def _use(self, token: str, req: falcon.Request) -> None:
        await self._confirm(ConfirmEmail(token, client_address(req), req.user_agent))

    def _done(self, user: User | None) -> str:
        return f"/{'account' if user else 'login'}?notice=email-confirmed"


class CancelEmailChangePage(_MailedLinkPage):
    """/cancel-email-change?token=: the old address cancels a pending change or reverts a done
    one (CancelEmailChangeHandler, as POST /api/v1/users/email-change/cancel); every session of
    the account ends, this browser's too if it is one."""

    template = "cancel_email_change.html"
    title = "Cancel the email change"
    button = "Cancel the change and sign out everywhere"
    schema = schemas.EmailChangeCancellation()

    def __init__(self, kit: PageKit, *, cancel: CancelEmailChangeHandler) -> None:
        super().__init__(kit)
        self._cancel = cancel

    async def _use(self, token: str, req: falcon.Request) -> None:
        await self._cancel(CancelEmailChange(token, client_address(req), req.user_agent))

    def _done(self, user: User | None) -> str:
        # Every session of the account ended; a cookie of one goes at the next page.
        return "/login?notice=email-change-cancelled"
