"""A forgotten password: ask for a mailed link, then set a new password with it."""

from __future__ import annotations

import falcon.asgi

from api import schemas
from api.auth import client_address
from api.pages.forms import Form, given, succeeded
from api.pages.kit import Page, PageKit, redirect
from core.users.request_password_reset import RequestPasswordReset, RequestPasswordResetHandler
from core.users.reset_password import ResetPassword, ResetPasswordHandler

_forgotten = schemas.PasswordForgotten()
_reset = schemas.PasswordReset()


class ForgotPasswordPage(Page):
    """/forgot-password: mail a reset link (RequestPasswordResetHandler, as POST
    /api/v1/password/forgot); the answer is the same whether or not the address is known."""

    template = "forgot_password.html"
    title = "Forgot your password?"

    def __init__(self, kit: PageKit, *, request_reset: RequestPasswordResetHandler) -> None:
        super().__init__(kit)
        self._request_reset = request_reset

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        self._show(req, resp, Form("forgot"))

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        values = await self._kit.form(req)
        form = Form.of("forgot", values)
        data = form.load(_forgotten, given(values, "email", always=("email",)))
        if data is not None and await succeeded(
            form, self._request_reset(RequestPasswordReset(data["email"]))
        ):
            redirect(resp, "/forgot-password?notice=reset-mailed")
            return
        self._show(req, resp, form)


class ResetPasswordPage(Page):
    """/reset-password?token=: the link of the reset mail opens a form; posting it sets the new
    password (ResetPasswordHandler, as POST /api/v1/password/reset), which ends every session."""

    template = "reset_password.html"
    title = "Set a new password"

    def __init__(self, kit: PageKit, *, reset: ResetPasswordHandler) -> None:
        super().__init__(kit)
        self._reset = reset

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        self._show(req, resp, Form("reset", {"token": req.get_param("token") or ""}))

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        values = await self._kit.form(req)
        form = Form.of("reset", values)
        data = form.load(_reset, given(values, "token", "new_password"))
        if data is not None and await succeeded(
            form,
            self._reset(
                ResetPassword(
                    data["token"], data["new_password"], client_address(req), req.user_agent
                )
            ),
        ):
            # Every session of the account ended; a cookie of one goes at the next page.
            redirect(resp, "/login?notice=password-reset")
            return
        self._show(req, resp, form)
