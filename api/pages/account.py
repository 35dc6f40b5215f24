"""/account: the signed-in user's profile and the forms that change it, each posting to its own
path (/account/username, /account/email, ...) and calling the command the API calls, with the
same arguments: the session's token version, and the client address for the lockout that the
re-entered password counts against."""

from __future__ import annotations

import falcon.asgi

from api import schemas
from api.auth import client_address
from api.pages.account_sessions import SessionList
from api.pages.forms import Form, given, succeeded
from api.pages.kit import Page, PageKit, redirect
from api.pages.provider_links import ProviderLinks
from core.mfa.get_status import GetMfaStatus, GetMfaStatusHandler
from core.sessions.session_user import SignedIn
from core.users.delete_account import DeleteAccount, DeleteAccountHandler
from core.users.resend_verification import ResendVerification, ResendVerificationHandler
from core.users.update_profile import UpdateProfile, UpdateProfileHandler

_update = schemas.UserUpdate()
_delete = schemas.UserDelete()
_FORMS = ("confirmation", "username", "email", "password", "delete")


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
        providers: ProviderLinks,
        sessions: SessionList,
    ) -> None:
        super().__init__(kit)
        self._update_profile = update_profile
        self._delete_account = delete_account
        self._resend = resend
        self._mfa_status = mfa_status
        self._providers = providers
        self._sessions = sessions

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        if (signed_in := await self._signed_in(req, resp)) is None:
            return
        await self._show_account(req, resp, signed_in)

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
        if (signed_in := await self._signed_in(req, resp)) is None:
            return
        user = signed_in.user
        form = Form.of("delete", values)
        data = form.load(_delete, given(values, "password", "code"))
        if data is not None:
            command = DeleteAccount(
                user.id,
                data["password"],
                user.token_version,
                client_address(req),
                user_agent=req.user_agent,
                code=data.get("code"),
            )
            if await succeeded(form, self._delete_account(command), "password"):
                self._kit.sessions.end(resp)
                redirect(resp, "/?notice=account-deleted")
                return
        await self._show_account(req, resp, signed_in, form)

    async def on_post_confirmation(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response
    ) -> None:
        await self._kit.form(req)
        if (signed_in := await self._signed_in(req, resp)) is None:
            return
        user = signed_in.user
        form = Form("confirmation")
        if await succeeded(form, self._resend(ResendVerification(user.id, user.token_version))):
            redirect(resp, "/account?notice=confirmation-sent")
            return
        await self._show_account(req, resp, signed_in, form)

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
        if (signed_in := await self._signed_in(req, resp)) is None:
            return
        user = signed_in.user
        form = Form.of(form_id, values)
        data = form.load(_update, given(values, *fields, always=fields[:1]))
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
        await self._show_account(req, resp, signed_in, form)

    async def _signed_in(self, req: falcon.Request, resp: falcon.Response) -> SignedIn | None:
        signed_in = await self._kit.sessions.current(req, resp)
        if signed_in is None:
            redirect(resp, "/login?notice=sign-in-first")
        return signed_in

    async def _show_account(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        signed_in: SignedIn,
        posted: Form | None = None,
    ) -> None:
        user = signed_in.user
        forms = {form_id: Form(form_id) for form_id in _FORMS}
        forms["username"] = Form("username", {"username": user.username})
        if posted is not None:
            forms[posted.id] = posted
        # Two-step sign-in is turned on and off at /account/two-step; the forms here that need
        # the password ask for a code too once it is on.
        status = await self._mfa_status(GetMfaStatus(user.id, user.token_version))
        providers = await self._providers.account_context(user)
        sessions = await self._sessions.account_context(signed_in)
        context = {**providers, **sessions}
        self._show(req, resp, posted, user, forms=forms, two_step=status.totp, **context)
