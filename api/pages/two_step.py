"""/account/two-step: turn two-step sign-in on (a QR code for the authenticator app, then its
first code), see the recovery codes once (and download them), get a fresh set, turn it off.
Each form calls the command the API's /api/v1/mfa operations call, with the same re-entered
password (and code) counted against the account's lockout. An account whose only second
factor is a passkey confirms turning the app on with the passkey as well (a step-up challenge
made for the page, answered by the page's one script, static/passkeys.js)."""

from __future__ import annotations

from typing import Any

import falcon.asgi
import segno

from api import mfa_schemas
from api.auth import client_address
from api.pages.forms import Form, given, succeeded, with_step_up
from api.pages.kit import Page, PageKit, redirect
from core.domain import User
from core.mfa.confirm_totp import ConfirmTotp, ConfirmTotpHandler
from core.mfa.disable_totp import DisableTotp, DisableTotpHandler
from core.mfa.get_status import GetMfaStatus, GetMfaStatusHandler
from core.mfa.regenerate_recovery_codes import (
    RegenerateRecoveryCodes,
    RegenerateRecoveryCodesHandler,
)
from core.mfa.start_totp import StartTotp, StartTotpHandler
from core.passkeys.begin_step_up import BeginPasskeyStepUp, BeginPasskeyStepUpHandler

_start = mfa_schemas.TotpStart()
_confirm = mfa_schemas.TotpConfirmation()
_reauthentication = mfa_schemas.SecondFactorReauthentication()
TWO_STEP_FORMS = ("start", "confirm", "disable", "recovery-codes", "codes.txt")


def qr_code_svg(uri: str) -> str:
    """The otpauth:// URI as an inline SVG QR code, drawn here: no image from anywhere else, and
    the secret it holds goes to no other site."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, title="QR code for your app"))


class TwoStepPage(Page):
    template = "two_step.html"
    title = "Two-step sign-in"

    def __init__(
        self,
        kit: PageKit,
        *,
        status: GetMfaStatusHandler,
        start: StartTotpHandler,
        confirm: ConfirmTotpHandler,
        disable: DisableTotpHandler,
        regenerate: RegenerateRecoveryCodesHandler,
        begin_step_up: BeginPasskeyStepUpHandler,
    ) -> None:
        super().__init__(kit)
        self._status = status
        self._start = start
        self._confirm = confirm
        self._disable = disable
        self._regenerate = regenerate
        self._begin_step_up = begin_step_up

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        if (user := await self._signed_in(req, resp)) is not None:
            await self._show_status(req, resp, user)

    async def on_post_start(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        """The password, then the new secret: as a QR code and as text."""
        values = await self._kit.form(req)
        if (user := await self._signed_in(req, resp)) is None:
            return
        form = Form.of("start", values)
        data = with_step_up(form, values, form.load(_start, given(values, "current_password")))
        if data is not None:
            enrolment = await self._when_done(
                form, self._start(StartTotp(user.id, **data, **self._caller(req, user)))
            )
            if enrolment is not None:
                confirm = Form(
                    "confirm", {"secret": enrolment.secret, "uri": enrolment.otpauth_uri}
                )
                self._show_enrolment(req, resp, user, confirm)
                return
        await self._show_status(req, resp, user, form)

    async def on_post_confirm(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        """The app's first code turns it on; the recovery codes are shown this once."""
        values = await self._kit.form(req)
        if (user := await self._signed_in(req, resp)) is None:
            return
        # The secret and its URI come back only to be shown again beside an error: what is
        # checked is the code, against the secret stored (sealed) when the password was given.
        form = Form.of("confirm", values)
        data = form.load(_confirm, given(values, "code"))
        if data is not None:
            command = ConfirmTotp(
                user.id, data["code"], user.token_version, client_address(req), req.user_agent
            )
            codes = await self._when_done(form, self._confirm(command))
            if codes is not None:
                self._show_codes(req, resp, user, codes, turned_on=True)
                return
        self._show_enrolment(req, resp, user, form)

    async def on_post_disable(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        values = await self._kit.form(req)
        if (user := await self._signed_in(req, resp)) is None:
            return
        form = Form.of("disable", values)
        data = form.load(_reauthentication, self._reauthentication_fields(values))
        if data is not None:
            command = DisableTotp(user.id, **data, **self._caller(req, user))
            if await succeeded(form, self._disable(command), "current_password"):
                redirect(resp, "/account/two-step?notice=two-step-off")
                return
        await self._show_status(req, resp, user, form)

    async def on_post_recovery_codes(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response
    ) -> None:
        values = await self._kit.form(req)
        if (user := await self._signed_in(req, resp)) is None:
            return
        form = Form.of("recovery-codes", values)
        data = form.load(_reauthentication, self._reauthentication_fields(values))
        if data is not None:
            command = RegenerateRecoveryCodes(user.id, **data, **self._caller(req, user))
            codes = await self._when_done(form, self._regenerate(command))
            if codes is not None:
                self._show_codes(req, resp, user, codes, turned_on=False)
                return
        await self._show_status(req, resp, user, form)

    async def on_post_codes_txt(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        """The codes just shown, as a file: the browser posts back what the page holds (they are
        stored hashed, so nothing else could)."""
        values = await self._kit.form(req)
        if await self._signed_in(req, resp) is None:
            return
        codes = [c for c in values.get("codes", "").split() if len(c) <= 32][:20]
        resp.content_type = "text/plain; charset=utf-8"
        resp.downloadable_as = "recovery-codes.txt"
        resp.cache_control = ["no-store"]
        resp.text = (
            "Recovery codes: each one signs you in once when your authenticator app is not at "
            "hand.\n\n" + "\n".join(codes) + "\n"
        )

    async def _signed_in(self, req: falcon.Request, resp: falcon.Response) -> User | None:
        user = await self._kit.sessions.user(req, resp)
        if user is None:
            redirect(resp, "/login?notice=sign-in-first")
        return user

    @staticmethod
    def _caller(req: falcon.Request, user: User) -> dict[str, Any]:
        return {
            "token_version": user.token_version,
            "client_ip": client_address(req),
            "user_agent": req.user_agent,
        }

    @staticmethod
    def _reauthentication_fields(values: dict[str, str]) -> dict[str, str]:
        return given(values, "current_password", "code", "recovery_code")

    @staticmethod
    async def _when_done(form: Form, action: Any) -> Any:
        """What `action` returns; None with its error put on the form."""
        result: list[Any] = []

        async def run() -> None:
            result.append(await action)

        return result[0] if await succeeded(form, run(), "current_password") else None

    async def _show_status(
        self, req: falcon.Request, resp: falcon.Response, user: User, posted: Form | None = None
    ) -> None:
        status = await self._status(GetMfaStatus(user.id, user.token_version))
        forms = {form_id: Form(form_id) for form_id in ("start", "disable", "recovery-codes")}
        if posted is not None:
            forms[posted.id] = posted
        step_up = None
        if status.passkey_only:
            step_up = await self._begin_step_up(BeginPasskeyStepUp(user.id, user.token_version))
        self._show(
            req,
            resp,
            posted,
            user,
            step="status",
            mfa=status,
            forms=forms,
            step_up=step_up,
            scripts=step_up is not None,
        )

    def _show_enrolment(
        self, req: falcon.Request, resp: falcon.Response, user: User, form: Form
    ) -> None:
        uri = form.values.get("uri", "")
        qr = qr_code_svg(uri) if uri.startswith("otpauth://totp/") else None
        self._show(req, resp, form, user, step="enrol", qr_svg=qr, confirm=form)

    def _show_codes(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        user: User,
        codes: list[str],
        *,
        turned_on: bool,
    ) -> None:
        self._show(req, resp, None, user, step="codes", codes=codes, turned_on=turned_on)
