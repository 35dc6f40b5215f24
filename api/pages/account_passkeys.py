"""/account/passkeys: adding a passkey from the account page (two steps: the password, then the
browser makes the passkey) and removing one, calling the commands the API calls (POST
/api/v1/mfa/passkeys/options, POST /api/v1/mfa/passkeys, DELETE /api/v1/mfa/passkeys/{id}).
A form that fails is shown again on the account page, with its errors."""

from __future__ import annotations

import uuid

import falcon.asgi

from api import passkey_schemas
from api.auth import client_address
from api.pages.account import AccountPage
from api.pages.forms import Form, given, passkey_answer, result_of, succeeded, with_step_up
from api.pages.kit import Page, PageKit, redirect
from core.passkeys.begin_registration import (
    BeginPasskeyRegistration,
    BeginPasskeyRegistrationHandler,
)
from core.passkeys.delete_passkey import DeletePasskey, DeletePasskeyHandler
from core.passkeys.finish_registration import (
    FinishPasskeyRegistration,
    FinishPasskeyRegistrationHandler,
)

_start = passkey_schemas.PasskeyRegistrationStart()
_removal = passkey_schemas.PasskeyRemoval()
_name = passkey_schemas.PasskeyRename()


class AccountPasskeysPage(Page):
    """The passkeys' forms of the account page: POST /account/passkeys (the name and the
    password; the answer is a page whose button makes the passkey), POST /account/passkeys/save
    (the browser's answer) and POST /account/passkeys/remove."""

    template = "passkey_new.html"
    title = "Add a passkey"

    def __init__(
        self,
        kit: PageKit,
        *,
        account: AccountPage,
        begin: BeginPasskeyRegistrationHandler,
        finish: FinishPasskeyRegistrationHandler,
        delete: DeletePasskeyHandler,
    ) -> None:
        super().__init__(kit)
        self._account = account
        self._begin = begin
        self._finish = finish
        self._delete = delete

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        redirect(resp, "/account")

    on_get_save = on_get
    on_get_remove = on_get

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        values = await self._kit.form(req)
        if (signed_in := await self._account.signed_in(req, resp)) is None:
            return
        user = signed_in.user
        form = Form.of("passkey-add", values)
        # The name is checked now, before the device makes a passkey that could not be stored.
        named = form.load(_name, {"name": values.get("name", "")})
        data = with_step_up(
            form, values, form.load(_start, given(values, "current_password", "code"))
        )
        if named is not None and data is not None:
            command = BeginPasskeyRegistration(
                user.id,
                token_version=user.token_version,
                client_ip=client_address(req),
                user_agent=req.user_agent,
                **data,
            )
            ceremony = await result_of(form, self._begin(command), "current_password")
            if ceremony is not None:
                saving = Form("passkey-save", {"name": named["name"]})
                self._show(req, resp, saving, user, ceremony=ceremony, scripts=True)
                return
        await self._account.show_account(req, resp, signed_in, form)

    async def on_post_save(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        values = await self._kit.form(req)
        if (signed_in := await self._account.signed_in(req, resp)) is None:
            return
        user = signed_in.user
        # Shown, when it fails, on the form that began it: the password is asked for again.
        form = Form.of("passkey-add", {"name": values.get("name", "")})
        answer = passkey_answer(form, values, "create")
        if answer is not None:
            command = FinishPasskeyRegistration(
                user.id,
                answer.challenge_id,
                answer.credential,
                values.get("name") or None,
                user.token_version,
                client_address(req),
                req.user_agent,
            )
            if await succeeded(form, self._finish(command)):
                redirect(resp, "/account?notice=passkey-added")
                return
        await self._account.show_account(req, resp, signed_in, form)

    async def on_post_remove(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        values = await self._kit.form(req)
        if (signed_in := await self._account.signed_in(req, resp)) is None:
            return
        user = signed_in.user
        try:
            passkey_id = uuid.UUID(values.get("passkey_id", ""))
        except ValueError:
            raise falcon.HTTPNotFound() from None
        form = Form.of(f"passkey-remove-{passkey_id}", values)
        data = with_step_up(
            form, values, form.load(_removal, given(values, "current_password", "code"))
        )
        if data is not None:
            command = DeletePasskey(
                user.id,
                passkey_id,
                token_version=user.token_version,
                client_ip=client_address(req),
                user_agent=req.user_agent,
                **data,
            )
            if await succeeded(form, self._delete(command), "current_password"):
                redirect(resp, "/account?notice=passkey-removed")
                return
        await self._account.show_account(req, resp, signed_in, form)
