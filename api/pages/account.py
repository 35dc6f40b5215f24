"""/account: the signed-in user's profile and the forms that change it, each posting to its own
path (/account/username, /account/email, ...) and calling the command the API calls, with the
same arguments: the session's token version, and the client address for the lockout that the
re-entered password counts against. The passkeys' forms are in account_passkeys.py.

The forms that need a second factor ask for the code when the account has an authenticator
app; when its only second factor is a passkey, the passkey confirms them: each such form
carries the options of one step-up challenge, made for the page, and the page's script puts
the passkey's answer in it as it is sent."""

from __future__ import annotations

import falcon.asgi

from api import schemas
from api.auth import client_address
from api.pages.account_sessions import SessionList
from api.pages.forms import Form, given, succeeded, with_step_up
from api.pages.kit import Page, PageKit, redirect
from api.pages.provider_links import ProviderLinks
from core.mfa.get_status import GetMfaStatus, GetMfaStatusHandler
from core.passkeys.begin_step_up import BeginPasskeyStepUp, BeginPasskeyStepUpHandler
from core.sessions.session_user import SignedIn
from core.users.delete_account import DeleteAccount, DeleteAccountHandler
from core.users.resend_verification import ResendVerification, ResendVerificationHandler
from core.users.update_profile import UpdateProfile, UpdateProfileHandler

_update = schemas.UserUpdate()
_delete = schemas.UserDelete()
_FORMS = ("confirmation", "username", "email", "password", "delete", "passkey-add")


class AccountPage(Page):
    template = "account.html"
    title = "Your account"

    def __init__(
        self,
        kit: PageKit,
        *,
        update_profile: UpdateProfileHandler,
        delete_account: DeleteAccountHandler,
        resend: ResendVerificationHandler,
        mfa_status: GetMfaStatusHandler,
        begin_step_up: BeginPasskeyStepUpHandler,
        providers: ProviderLinks,
        sessions: SessionList,
    ) -> None:
        super().__init__(kit)
        self._update_profile = update_profile
        self._delete_account = delete_account
        self._resend = resend
        self._mfa_status = mfa_status
        self._begin_step_up = begin_step_up
        self._providers = providers
        self._sessions = sessions

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        if (signed_in := await self.signed_in(req, resp)) is None:
            return
        await self.show_account(req, resp, signed_in)

    async def on_post_username(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        await self._change(req, resp, "username", ("username",), "/account?notice=username-changed")

    async def on_post_email(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        await self._change(
            req,
            resp,
            "email",
            ("email", "current_password", "code"),
            "/account?notice=email-change-asked",
        )

    async def on_post_password(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        # The new password ends every session of the account, this one too.
        await self._change(
            req,
            resp,
            "password",
            ("password", "current_password", "code"),
            "/login?notice=password-changed",
            ends_session=True,
        )

    async def on_post_delete(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        values = await self._kit.form(req)
        if (signed_in := await self.signed_in(req, resp)) is None:
            return
        user = signed_in.user
        form = Form.of("delete", values)
        data = with_step_up(form, values, form.load(_delete, given(values, "password", "code")))
        if data is not None:
            command = DeleteAccount(
                user.id,
                data["password"],
                user.token_version,
                client_address(req),
                user_agent=req.user_agent,
                code=data.get("code"),
                passkey=data.get("passkey"),
            )
            if await succeeded(form, self._delete_account(command), "password"):
                self._kit.sessions.end(resp)
                redirect(resp, "/?notice=account-deleted")
                return
        await self.show_account(req, resp, signed_in, form)

    async def on_post_confirmation(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response
    ) -> None:
        await self._kit.form(req)
        if (signed_in := await self.signed_in(req, resp)) is None:
            return
        user = signed_in.user
        form = Form("confirmation")
        if await succeeded(form, self._resend(ResendVerification(user.id, user.token_version))):
            redirect(resp, "/account?notice=confirmation-sent")
            return
        await self.show_account(req, resp, signed_in, form)

    async def _change(
        self,
        req: falcon.asgi.Request,
        resp: falcon.asgi.Response,
        form_id: str,
        fields: tuple[str, ...],
        done: str,
        *,
        ends_session: bool = False,
    ) -> None:
        """One of the forms that UpdateProfileHandler serves (PATCH /api/v1/users); the first
        of `fields` is the one it changes."""
        values = await self._kit.form(req)
        if (signed_in := await self.signed_in(req, resp)) is None:
            return
        user = signed_in.user
        form = Form.of(form_id, values)
        data = form.load(_update, given(values, *fields, always=fields[:1]))
        data = with_step_up(form, values, data)
        if data is not None:
            command = UpdateProfile(
                user.id,
                token_version=user.token_version,
                client_ip=client_address(req),
                user_agent=req.user_agent,
                **data,
            )
            if await succeeded(form, self._update_profile(command), "current_password"):
                if ends_session:
                    self._kit.sessions.end(resp)
                redirect(resp, done)
                return
        await self.show_account(req, resp, signed_in, form)

    async def signed_in(self, req: falcon.Request, resp: falcon.Response) -> SignedIn | None:
        """The session and its user; None, sent to sign in, without one."""
        signed_in = await self._kit.sessions.current(req, resp)
        if signed_in is None:
            redirect(resp, "/login?notice=sign-in-first")
        return signed_in

    async def show_account(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        signed_in: SignedIn,
        posted: Form | None = None,
    ) -> None:
        """The page, with `posted` as it was sent (and its errors) and the other forms empty."""
        user = signed_in.user
        forms = {form_id: Form(form_id) for form_id in _FORMS}
        forms["username"] = Form("username", {"username": user.username})
        status = await self._mfa_status(GetMfaStatus(user.id, user.token_version))
        for passkey in status.passkeys:
            forms[f"passkey-remove-{passkey.id}"] = Form(f"passkey-remove-{passkey.id}")
        if posted is not None:
            forms[posted.id] = posted
        # Two-step sign-in with an app is turned on and off at /account/two-step; the forms here
        # that need a second factor ask for a code once it is on, or else for a passkey.
        step_up = None
        if status.passkey_only:
            step_up = await self._begin_step_up(BeginPasskeyStepUp(user.id, user.token_version))
        providers = await self._providers.account_context(user)
        sessions = await self._sessions.account_context(signed_in)
        self._show(
            req,
            resp,
            posted,
            user,
            forms=forms,
            two_step=status.totp,
            passkeys=status.passkeys,
            step_up=step_up,
            scripts=step_up is not None,
            **providers,
            **sessions,
        )
