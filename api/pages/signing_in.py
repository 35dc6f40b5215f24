"""Sign up, sign in (with the password, a passkey, or both), sign out: the API's commands, with
the session in a cookie."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import falcon.asgi

from api import mfa_schemas, schemas
from api.pages.forms import Form, given, passkey_answer, succeeded
from api.pages.kit import Page, PageKit, redirect
from core.domain import InvalidMfaToken, SecondFactorRequired, StateConflict
from core.mfa.begin_passkey_second_step import (
    BeginPasskeySecondStep,
    BeginPasskeySecondStepHandler,
)
from core.passkeys.begin_sign_in import BeginPasskeySignIn, BeginPasskeySignInHandler
from core.passkeys.ceremony import Ceremony
from core.users.register import RegisterUser, RegisterUserHandler

_create = schemas.UserCreate()
_sign_in = schemas.TokenRequest()
_second_step = mfa_schemas.MfaSignIn()
# What the second step's forms assume when they do not say: the code form is for accounts with
# an authenticator app, and the passkey form says which factors the account has.
_CODE_FORM_METHODS = ("totp", "recovery_code", "passkey")


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


class SecondStepPage(Page):
    """/login/code: the second step of a sign-in: a code from the authenticator app or a
    recovery code, or the account's passkey (CompleteSignInHandler, as POST /api/v1/token/mfa,
    with the same lockout). Each form carries the mfa_token of the password step: it works
    once, for a few minutes, and is nothing without the second factor."""

    template = "login_code.html"
    title = "Sign in: the second step"

    def __init__(self, kit: PageKit, *, begin: BeginPasskeySecondStepHandler) -> None:
        super().__init__(kit)
        self._begin = begin

    async def ask(
        self,
        req: falcon.asgi.Request,
        resp: falcon.asgi.Response,
        mfa_token: str,
        methods: Sequence[str],
        failed: Form | None = None,
    ) -> None:
        """The forms of the factors the account has (`methods`), `failed` as posted."""
        ceremony: Ceremony | None = None
        if "passkey" in methods:
            try:
                ceremony = await self._begin(BeginPasskeySecondStep(mfa_token))
            except (StateConflict, InvalidMfaToken):
                ceremony = None  # its passkeys were removed meanwhile; or too late for any
        hidden = {"mfa_token": mfa_token}
        forms = {
            "login-code": Form("login-code", hidden),
            "login-passkey": Form("login-passkey", {**hidden, "methods": " ".join(methods)}),
        }
        if failed is not None:
            forms[failed.id] = failed
        self._kit.render(
            req,
            resp,
            self.template,
            user=None,
            title=self.title,
            form=forms["login-code"],
            passkey_form=forms["login-passkey"],
            passkey=ceremony,
            with_code="totp" in methods,
            status=failed.status if failed is not None else 200,
            scripts=ceremony is not None,
        )

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        # Nothing to show without the password step.
        redirect(resp, "/login")

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        values = await self._kit.form(req)
        mfa_token = values.get("mfa_token", "")
        action = None
        if "credential" in values:  # the passkey's form
            form = Form.of("login-passkey", values)
            methods = values.get("methods", "passkey").split()
            answer = passkey_answer(form, values)
            if answer is not None:
                action = self._kit.sessions.complete_sign_in(
                    req, resp, mfa_token, None, None, answer
                )
        else:
            form = Form.of("login-code", values)
            methods = list(_CODE_FORM_METHODS)
            data = form.load(_second_step, given(values, "mfa_token", "code", "recovery_code"))
            if data is not None:
                action = self._kit.sessions.complete_sign_in(
                    req, resp, data["mfa_token"], data.get("code"), data.get("recovery_code")
                )
        try:
            if action is not None and await succeeded(form, action):
                redirect(resp, "/account")
                return
        except InvalidMfaToken:
            redirect(resp, "/login?notice=sign-in-expired")
            return
        await self.ask(req, resp, mfa_token, methods, form)


class SignInPage(_SignedOutPage):
    """/login: the password for a session (IssueAccessTokenHandler, as POST /api/v1/token/access,
    with the same lockout by client address); when the account asks for a second factor, the
    answer is the second step's page (SecondStepPage) instead. Beside it, signing in with a
    passkey alone (/login/passkey: SignInWithPasskeyHandler, as POST /api/v1/token/passkey)."""

    form_id = "login"
    template = "login.html"
    title = "Sign in"

    def __init__(
        self,
        kit: PageKit,
        *,
        begin_passkey: BeginPasskeySignInHandler,
        second_step: SecondStepPage,
    ) -> None:
        super().__init__(kit)
        self._begin_passkey = begin_passkey
        self._second_step = second_step

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
                form, self._kit.sessions.sign_in(req, resp, data["username"], data["password"])
            ):
                redirect(resp, "/account")
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
            form, self._kit.sessions.sign_in_with_passkey(req, resp, answer)
        ):
            redirect(resp, "/account")
            return
        await self._form_page(req, resp, Form("login"), form)


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
