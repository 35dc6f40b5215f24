"""Providers linked to an account: the identity that waits to be linked (after a sign-in that
found the address taken, or from the account page's button), the account page's list, and
unlinking."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import falcon.asgi

from api.auth import client_address
from api.pages.forms import SHOWN_ON_FORM, Form, succeeded
from api.pages.kit import Page, PageKit, redirect
from api.pages.provider_kit import ProviderKit, log
from core.domain import DomainError, User
from core.domain.identities import LastWayToSignIn
from core.identities.link import LinkIdentity, LinkIdentityHandler
from core.identities.unlink import (
    LinkedIdentities,
    LinkedIdentitiesHandler,
    UnlinkIdentity,
    UnlinkIdentityHandler,
)
from core.tokens.issued import IssuedTokens


class ProviderLinks:
    """What the sign-in and account pages show of the providers, and the step that links a
    waiting identity once its account has signed in."""

    def __init__(
        self,
        kit: PageKit,
        providers: ProviderKit,
        *,
        link: LinkIdentityHandler,
        linked: LinkedIdentitiesHandler,
    ) -> None:
        self._kit = kit
        self._providers = providers
        self._link = link
        self._linked = linked

    def sign_in_context(self, req: falcon.Request) -> dict[str, Any]:
        """The buttons of /login, and the provider waiting for this sign-in to be linked."""
        pending = self._providers.pending(req)
        waiting = pending.identity.label if pending and pending.user_id is None else None
        return {"providers": self._providers.identities.listed(), "linking": waiting}

    async def account_context(self, user: User) -> dict[str, Any]:
        """The account page's section: what is linked, and what can be."""
        links = await self._linked(LinkedIdentities(user.id))
        labels = {info.name: info.label for info in self._providers.identities.listed()}
        return {
            "linked_providers": [
                (link, labels.get(link.provider, link.provider)) for link in links
            ],
            "linkable_providers": self._providers.identities.listed(),
        }

    async def signed_in(
        self, req: falcon.Request, resp: falcon.Response, sign_in: Awaitable[IssuedTokens]
    ) -> None:
        """Finish a sign-in on /login or /login/code (`sign_in`, raising what it raises) and go
        on from it to the account page."""
        issued = await sign_in
        redirect(resp, await self._after_sign_in(req, resp, issued))

    async def _after_sign_in(
        self, req: falcon.Request, resp: falcon.Response, issued: IssuedTokens
    ) -> str:
        """Where a finished sign-in leads: the account page, after linking the identity that
        was waiting for this account's owner to sign in."""
        pending = self._providers.pending(req)
        if pending is None or pending.user_id is not None:
            return "/account"
        self._providers.drop_pending(req, resp)
        user = await self._kit.sessions.holder(issued)
        command = LinkIdentity(user.id, pending.identity, user.token_version)
        try:
            await self._link(command)
        except DomainError as error:
            log.warning(
                "waiting identity not linked",
                extra={
                    "provider": pending.identity.provider,
                    "issuer": pending.identity.issuer,
                    "reason": type(error).__name__,
                },
            )
            return "/account?notice=provider-not-linked"
        return "/account?notice=provider-linked"


class LinkProviderPage(Page):
    """/account/link: the identity the provider just vouched for, linked once the password is
    entered again (LinkIdentityHandler)."""

    template = "link_provider.html"
    title = "Link a sign-in provider"

    def __init__(self, kit: PageKit, *, providers: ProviderKit, link: LinkIdentityHandler) -> None:
        super().__init__(kit)
        self._providers = providers
        self._link = link

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        await self._respond(req, resp, None)

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        values = await self._kit.form(req)
        await self._respond(req, resp, values)

    async def _respond(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, values: dict[str, str] | None
    ) -> None:
        user = await self._kit.sessions.user(req, resp)
        if user is None:
            redirect(resp, "/login?notice=sign-in-first")
            return
        pending = self._providers.pending(req)
        if pending is None or pending.user_id != user.id:
            redirect(resp, "/account")
            return
        form = Form("link")
        if values is not None:
            password = values.get("password", "")
            if not password:
                form.errors["password"] = ["Enter your password."]
                form.status = 422
            else:
                command = LinkIdentity(
                    user.id, pending.identity, user.token_version, password, client_address(req)
                )
                if await succeeded(form, self._link(command), "password"):
                    self._providers.drop_pending(req, resp)
                    redirect(resp, "/account?notice=provider-linked")
                    return
        self._show(req, resp, form, user, identity=pending.identity)


class UnlinkProviderPage(Page):
    """/account/unlink?identity=<id>: unlink one provider, with the password
    (UnlinkIdentityHandler); never the last way to sign in."""

    template = "unlink_provider.html"
    title = "Unlink a sign-in provider"

    def __init__(
        self,
        kit: PageKit,
        *,
        providers: ProviderKit,
        unlink: UnlinkIdentityHandler,
        linked: LinkedIdentitiesHandler,
    ) -> None:
        super().__init__(kit)
        self._providers = providers
        self._unlink = unlink
        self._linked = linked

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        await self._respond(req, resp, None)

    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        await self._respond(req, resp, await self._kit.form(req))

    async def _respond(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, values: dict[str, str] | None
    ) -> None:
        user = await self._kit.sessions.user(req, resp)
        if user is None:
            redirect(resp, "/login?notice=sign-in-first")
            return
        wanted = (values or {}).get("identity") or req.get_param("identity") or ""
        links = await self._linked(LinkedIdentities(user.id))
        link = next((link for link in links if str(link.id) == wanted), None)
        if link is None:
            redirect(resp, "/account")
            return
        form = Form("unlink")
        if values is not None:
            password = values.get("password", "")
            command = UnlinkIdentity(
                user.id, link.id, password, user.token_version, client_address(req)
            )
            if not password:
                form.errors["password"] = ["Enter your password."]
                form.status = 422
            elif await _unlinked(form, self._unlink(command)):
                redirect(resp, "/account?notice=provider-unlinked")
                return
        info = self._providers.identities.get(link.provider)
        label = info.label if info else link.provider
        self._show(req, resp, form, user, link=link, label=label)


async def _unlinked(form: Form, unlinking: Awaitable[None]) -> bool:
    try:
        await unlinking
    except LastWayToSignIn as error:
        form.reject(error)  # above the form: no field of it is wrong
        return False
    except SHOWN_ON_FORM as error:
        form.reject(error, "password")
        return False
    return True
