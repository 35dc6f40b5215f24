"""/login/code: the second step of a sign-in, for an account with a second factor."""

from __future__ import annotations

from collections.abc import Sequence

import falcon.asgi

from api import mfa_schemas
from api.pages.forms import Form, given, passkey_answer, succeeded
from api.pages.kit import Page, PageKit, redirect
from api.pages.provider_links import ProviderLinks
from core.domain import InvalidMfaToken, StateConflict
from core.mfa.begin_passkey_second_step import (
    BeginPasskeySecondStep,
    BeginPasskeySecondStepHandler,
)
from core.passkeys.ceremony import Ceremony

_second_step = mfa_schemas.MfaSignIn()
# What the second step's forms assume when they do not say: the code form is for accounts with
# an authenticator app, and the passkey form says which factors the account has.
_CODE_FORM_METHODS = ("totp", "recovery_code", "passkey")


class SecondStepPage(Page):
    """/login/code: a code from the authenticator app or a recovery code, or the account's
    passkey (CompleteSignInHandler, as POST /api/v1/token/mfa, with the same lockout). Each form
    carries the mfa_token of the password step: it works once, for a few minutes, and is
    nothing without the second factor. A provider's identity waiting for this account is linked
    once the sign-in is done."""

    template = "login_code.html"
    title = "Sign in: the second step"

    def __init__(
        self, kit: PageKit, *, begin: BeginPasskeySecondStepHandler, providers: ProviderLinks
    ) -> None:
        super().__init__(kit)
        self._begin = begin
        self._providers = providers

    async def ask(
        self,
        req: falcon.asgi.Request,
        resp: falcon.asgi.Response,
        mfa_token: str,
        methods: Sequence[str],
        failed: Form | None = None,
        via: str | None = None,
    ) -> None:
        """The forms of the factors the account has (`methods`), `failed` as posted; `via`
        names the provider of the first step (none: the password)."""
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
            via=via,
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
            if action is not None and await succeeded(
                form, self._providers.signed_in(req, resp, action)
            ):
                return
        except InvalidMfaToken:
            redirect(resp, "/login?notice=sign-in-expired")
            return
        # The provider's name, as the first step's page put it there: shown, never trusted.
        via = values.get("via", "")[:64] or None
        await self.ask(req, resp, mfa_token, methods, form, via)
