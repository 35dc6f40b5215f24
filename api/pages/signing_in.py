"""Sign up, sign in, sign out: the API's commands, with the session in a cookie."""

from __future__ import annotations

from typing import Any, ClassVar

import falcon.asgi

from api import mfa_schemas, schemas
from api.pages.forms import Form, given, succeeded
from api.pages.kit import Page, PageKit, redirect
from api.pages.provider_links import ProviderLinks
from core.domain import InvalidMfaToken, SecondFactorRequired, User
from core.users.register import RegisterUser, RegisterUserHandler

_create = schemas.UserCreate()
_sign_in = schemas.TokenRequest()
_second_step = mfa_schemas.MfaSignIn()


class _SignedOutPage(Page):
    """A form for people who are not signed in: one who is goes to the account instead."""

    form_id: ClassVar[str]

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        if await self._kit.sessions.user(req, resp):
            redirect(resp, "/account")
            return
        self._show(req, resp, Form(self.form_id))


class SignUpPage(_SignedOutPage):
    """/signup: a new account (RegisterUserHandler, as POST /api/v1/users), signed in at once."""

    form_id = "signup"
    template = "signup.html"
    title = "Create an account"

    def __init__(self, kit: PageKit, *, register: RegisterUserHandler) -> None:
        super().__init__(kit)
        self._register = register

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        values = await self._kit.form(req)
        form = Form.of("signup", values)
        data = form.load(_create, given(values, "username", "email", "password"))
        if data is not None and await succeeded(form, self._register(RegisterUser(**data))):
            signed_in = await succeeded(
                form, self._kit.sessions.sign_in(req, resp, data["username"], data["password"])
            )
            # Signing in can still be refused (a locked account): the account exists anyway.
            redirect(resp, "/account?notice=signed-up" if signed_in else "/login")
            return
        self._show(req, resp, form)


class SignInPage(_SignedOutPage):
    """/login: the password for a session (IssueAccessTokenHandler, as POST /api/v1/token/access,
    with the same lockout by client address); buttons for the sign-in providers. When the account
    asks for a second factor, the answer is the form of the second step (SecondStepPage)."""

    form_id = "login"
    template = "login.html"
    title = "Sign in"

    def __init__(self, kit: PageKit, *, providers: ProviderLinks) -> None:
        super().__init__(kit)
        self._providers = providers

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        values = await self._kit.form(req)
        form = Form.of("login", values)
        data = form.load(_sign_in, given(values, "username", "password"))
        try:
            if data is not None and await succeeded(
                form, self._signed_in(req, resp, data["username"], data["password"])
            ):
                return
        except SecondFactorRequired as required:
            SecondStepPage.ask(
                self._kit, req, resp, Form("login-code", {"mfa_token": required.mfa_token})
            )
            return
        self._show(req, resp, form)

    async def _signed_in(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, login: str, password: str
    ) -> None:
        issued = await self._kit.sessions.sign_in(req, resp, login, password)
        # Signing in is done: an identity waiting for this account is linked now.
        redirect(resp, await self._providers.after_sign_in(req, resp, issued))

    def _show(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        form: Form | None = None,
        user: User | None = None,
        **context: Any,
    ) -> None:
        context.update(self._providers.sign_in_context(req))
        super()._show(req, resp, form, user, **context)


class SecondStepPage(Page):
    """/login/code: the second step of a sign-in, a code from the authenticator app or a recovery
    code (CompleteSignInHandler, as POST /api/v1/token/mfa, with the same lockout). The form
    carries the mfa_token of the password step: it works once, for a few minutes, and is
    nothing without a code."""

    template = "login_code.html"
    title = "Sign in: the code"

    def __init__(self, kit: PageKit, *, providers: ProviderLinks) -> None:
        super().__init__(kit)
        self._providers = providers

    @classmethod
    def ask(
        cls, kit: PageKit, req: falcon.asgi.Request, resp: falcon.asgi.Response, form: Form
    ) -> None:
        kit.render(
            req, resp, cls.template, user=None, title=cls.title, form=form, status=form.status
        )

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        # Nothing to show without the password step.
        redirect(resp, "/login")

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        values = await self._kit.form(req)
        form = Form.of("login-code", values)
        data = form.load(_second_step, given(values, "mfa_token", "code", "recovery_code"))
        try:
            if data is not None and await succeeded(form, self._signed_in(req, resp, data)):
                return
        except InvalidMfaToken:
            redirect(resp, "/login?notice=sign-in-expired")
            return
        self.ask(self._kit, req, resp, form)

    async def _signed_in(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, data: dict[str, Any]
    ) -> None:
        issued = await self._kit.sessions.complete_sign_in(
            req, resp, data["mfa_token"], data.get("code"), data.get("recovery_code")
        )
        # Signing in is done: an identity waiting for this account is linked now.
        redirect(resp, await self._providers.after_sign_in(req, resp, issued))


class SignOutPage(Page):
    """/logout: a button (GET changes nothing) that revokes the session's token family
    (RevokeRefreshTokenHandler, as POST /api/v1/token/revoke)."""

    template = "logout.html"
    title = "Sign out"

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        self._show(req, resp, user=await self._kit.sessions.user(req, resp))

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        await self._kit.form(req)
        await self._kit.sessions.sign_out(req, resp)
        redirect(resp, "/?notice=signed-out")
