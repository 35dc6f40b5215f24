"""Sign-in through a provider: a button starts the authorization code flow (PKCE, state and, for
OpenID Connect, a nonce, kept in a signed cookie of this browser), and the provider's redirect
back ends it: the account linked to the identity is signed in (a session whose `amr` is `ext`),
after its second factor when it has one, or a new one is made, or the identity waits to be
linked."""

from __future__ import annotations

import hmac

import falcon.asgi

from api.auth import client_address
from api.pages.kit import Page, PageKit, redirect
from api.pages.provider_cookies import FLOW
from api.pages.provider_kit import ProviderKit, log
from api.pages.second_step import SecondStepPage
from api.problems import Problem
from core.domain import SecondFactorRequired
from core.domain.identities import LinkRequired
from core.identities.sign_in import SignInWithIdentity, SignInWithIdentityHandler
from core.ports import CodeGrant, ProviderInfo

NOT_MATCHED = (
    "This answer from {label} does not belong to a sign-in started in this browser in the last "
    "minutes, so it was not used. Start the sign-in again from this site."
)
DECLINED = "{label} did not sign you in ({error}). Start again if you want to sign in with it."


async def _start(
    kit: PageKit,
    providers: ProviderKit,
    req: falcon.asgi.Request,
    resp: falcon.asgi.Response,
    info: ProviderInfo,
    linking_user: str | None,
) -> None:
    request = await providers.identities.authorization_request(
        info.name, providers.redirect_uri(info.name)
    )
    flow = {
        "p": info.name,
        "s": request.state,
        "n": request.nonce,
        "v": request.code_verifier,
        "u": linking_user,
    }
    providers.cookies.write(req, resp, FLOW, flow)
    redirect(resp, request.url)


class ProviderSignInStart(Page):
    """GET /login/{provider}: the button on /login. A link, not a form: the pages' policy lets
    forms post only to this site, and a browser holds a form's redirect to that too. Starting
    is harmless to anyone who makes a browser open it: the answer is bound to that browser, and
    can only sign it in to its own person's account."""

    def __init__(self, kit: PageKit, *, providers: ProviderKit) -> None:
        super().__init__(kit)
        self._providers = providers

    async def on_get(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, provider: str
    ) -> None:
        info = self._providers.info(provider)
        await _start(self._kit, self._providers, req, resp, info, None)


class ProviderLinkStart(Page):
    """GET /account/link/{provider}: the account page's button (a link, as on /login); linking
    is confirmed with the password once the provider has sent the person back."""

    def __init__(self, kit: PageKit, *, providers: ProviderKit) -> None:
        super().__init__(kit)
        self._providers = providers

    async def on_get(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, provider: str
    ) -> None:
        info = self._providers.info(provider)
        user = await self._kit.sessions.user(req, resp)
        if user is None:
            redirect(resp, "/login?notice=sign-in-first")
            return
        await _start(self._kit, self._providers, req, resp, info, str(user.id))


class ProviderCallback(Page):
    """GET /login/{provider}/callback: where the provider sends the person back."""

    def __init__(
        self,
        kit: PageKit,
        *,
        providers: ProviderKit,
        sign_in: SignInWithIdentityHandler,
        second_step: SecondStepPage,
    ) -> None:
        super().__init__(kit)
        self._providers = providers
        self._sign_in = sign_in
        self._second_step = second_step

    async def on_get(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, provider: str
    ) -> None:
        info = self._providers.info(provider)
        flow = self._providers.cookies.read(req, FLOW)
        self._providers.cookies.clear(req, resp, FLOW)  # one answer per request, whatever it is
        self._check(req, info, flow)
        assert flow is not None
        grant = CodeGrant(
            code=req.get_param("code") or "",
            code_verifier=flow["v"],
            nonce=flow["n"],
            redirect_uri=self._providers.redirect_uri(info.name),
        )
        identity = await self._providers.identities.identity_from_code(info.name, grant)
        if flow["u"] is not None:
            user = await self._kit.sessions.user(req, resp)
            if user is None or str(user.id) != flow["u"]:
                _refuse(info, "link_session_changed", 403, NOT_MATCHED)
            assert user is not None
            self._providers.keep_pending(req, resp, identity, user.id)
            redirect(resp, "/account/link")
            return
        try:
            command = SignInWithIdentity(identity, client_address(req), req.user_agent)
            issued = await self._sign_in(command)
        except LinkRequired:
            self._providers.keep_pending(req, resp, identity, None)
            redirect(resp, "/login")
            return
        except SecondFactorRequired as required:
            await self._second_step.ask(
                req, resp, required.mfa_token, required.methods, via=info.label
            )
            return
        await self._kit.sessions.start(req, resp, issued)
        redirect(resp, "/account")

    @staticmethod
    def _check(req: falcon.Request, info: ProviderInfo, flow: dict[str, object] | None) -> None:
        """The answer is to the request this browser started, from the provider it went to."""
        state = req.get_param("state") or ""
        if (
            flow is None
            or flow.get("p") != info.name
            or not isinstance(flow.get("s"), str)
            or not hmac.compare_digest(state.encode(), str(flow["s"]).encode())
        ):
            _refuse(info, "state_mismatch", 400, NOT_MATCHED)
        # RFC 9207: a provider that names itself must be the one the request went to.
        issuer = req.get_param("iss")
        if issuer is not None and issuer != info.issuer:
            _refuse(info, "issuer_mismatch", 400, NOT_MATCHED)
        if error := req.get_param("error"):
            # The provider's error code is one of a fixed list (RFC 6749 4.1.2.1), not free text.
            code = error if error.replace("_", "").isalpha() and len(error) < 40 else "error"
            _refuse(info, f"provider_error:{code}", 403, DECLINED.replace("{error}", code))
        if not req.get_param("code"):
            _refuse(info, "no_code", 400, NOT_MATCHED)


def _refuse(info: ProviderInfo, reason: str, status: int, message: str) -> None:
    log.warning(
        "provider callback refused",
        extra={"provider": info.name, "issuer": info.issuer, "reason": reason},
    )
    raise Problem(status, message.format(label=info.label))
