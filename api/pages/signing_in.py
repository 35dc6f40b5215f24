"""Sign up, sign in (with the password, a passkey, or both), sign out: the API's commands, with
the session in a cookie."""

from __future__ import annotations

from typing import Any, ClassVar

import falcon.asgi

from api import schemas
from api.pages.forms import Form, given, passkey_answer, succeeded
from api.pages.kit import Page, PageKit, redirect
from api.pages.provider_links import ProviderLinks
from api.pages.second_step import SecondStepPage
from core.domain import SecondFactorRequired, User
from core.passkeys.begin_sign_in import BeginPasskeySignIn, BeginPasskeySignInHandler
from core.users.register import RegisterUser, RegisterUserHandler

_create = schemas.UserCreate()
_sign_in = schemas.TokenRequest()


class _SignedOutPage(Page):
    """A form for people who are not signed in: one who is goes to the account instead."""

    form_id: ClassVar[str]

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        if await self._kit.sessions.user(req, resp):
            redirect(resp, "/account")
            return
        await self._form_page(req, resp, Form(self.form_id))

    async def _form_page(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, form: Form
    ) -> None:
        self._show(req, resp, form)


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
    with the same lockout by client address); when the account asks for a second factor, the
    answer is the second step's page (SecondStepPage) instead. Beside it, signing in with a
    passkey alone (/login/passkey: SignInWithPasskeyHandler, as POST /api/v1/token/passkey),
    and buttons for the sign-in providers. A provider's identity waiting for this account is
    linked once the sign-in is done."""

    form_id = "login"
    template = "login.html"
    title = "Sign in"

    def __init__(
        self,
        kit: PageKit,
        *,
        begin_passkey: BeginPasskeySignInHandler,
        second_step: SecondStepPage,
        providers: ProviderLinks,
    ) -> None:
        super().__init__(kit)
        self._begin_passkey = begin_passkey
        self._second_step = second_step
        self._providers = providers

    async def _form_page(
        self,
        req: falcon.asgi.Request,
        resp: falcon.asgi.Response,
        form: Form,
        passkey_form: Form | None = None,
    ) -> None:
        """The password's form and the passkey's, with a challenge of its own each time."""
        passkey_form = passkey_form or Form("login-passkey")
        ceremony = await self._begin_passkey(BeginPasskeySignIn())
        status = passkey_form.status if passkey_form.errors else form.status
        self._show(
            req,
            resp,
            form,
            passkey_form=passkey_form,
            passkey=ceremony,
            status=status,
            scripts=True,
        )

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        values = await self._kit.form(req)
        form = Form.of("login", values)
        data = form.load(_sign_in, given(values, "username", "password"))
        try:
            if data is not None and await succeeded(
                form,
                self._providers.signed_in(
                    req,
                    resp,
                    self._kit.sessions.sign_in(req, resp, data["username"], data["password"]),
                ),
            ):
                return
        except SecondFactorRequired as required:
            await self._second_step.ask(req, resp, required.mfa_token, required.methods)
            return
        await self._form_page(req, resp, form)

    async def on_get_passkey(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        redirect(resp, "/login")

    async def on_post_passkey(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        values = await self._kit.form(req)
        form = Form.of("login-passkey", values)
        answer = passkey_answer(form, values)
        if answer is not None and await succeeded(
            form,
            self._providers.signed_in(
                req, resp, self._kit.sessions.sign_in_with_passkey(req, resp, answer)
            ),
        ):
            return
        await self._form_page(req, resp, Form("login"), form)

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
