"""Pages people use in a browser: sign up, sign in, confirm an address, reset a password, cancel
an email change, and the account. Server-rendered from the Jinja2 templates beside this module,
one stylesheet, and one script only where a passkey is asked for (static/passkeys.js: the
browser's passkey calls, which nothing else can make); everything else works with JavaScript
off. They call the same core commands as the JSON API, with forms loaded by the API's own
schemas.
"""

from __future__ import annotations

from typing import Any

import falcon.asgi
from injector import Injector

from adapters.key_files import load_key_file
from adapters.settings import Settings
from api.pages.account import AccountPage
from api.pages.account_passkeys import AccountPasskeysPage
from api.pages.account_sessions import EndOtherSessionsPage, EndSessionPage, SessionList
from api.pages.csrf import CsrfTokens
from api.pages.errors import PageErrors
from api.pages.home import HomePage
from api.pages.kit import Page, PageKit
from api.pages.mailed_links import CancelEmailChangePage, ConfirmEmailPage
from api.pages.passwords import ForgotPasswordPage, ResetPasswordPage
from api.pages.provider_cookies import ProviderCookies
from api.pages.provider_kit import ProviderKit
from api.pages.provider_links import LinkProviderPage, ProviderLinks, UnlinkProviderPage
from api.pages.provider_sign_in import ProviderCallback, ProviderLinkStart, ProviderSignInStart
from api.pages.rendering import STATIC, Templates
from api.pages.second_step import SecondStepPage
from api.pages.session import Cookies, Sessions
from api.pages.signing_in import SignInPage, SignOutPage, SignUpPage
from api.pages.two_step import TWO_STEP_FORMS, TwoStepPage
from api.problems import serialize_problem
from core.identities.link import LinkIdentityHandler
from core.identities.sign_in import SignInWithIdentityHandler
from core.identities.unlink import LinkedIdentitiesHandler, UnlinkIdentityHandler
from core.mfa.begin_passkey_second_step import BeginPasskeySecondStepHandler
from core.mfa.complete_sign_in import CompleteSignInHandler
from core.mfa.confirm_totp import ConfirmTotpHandler
from core.mfa.disable_totp import DisableTotpHandler
from core.mfa.get_status import GetMfaStatusHandler
from core.mfa.regenerate_recovery_codes import RegenerateRecoveryCodesHandler
from core.mfa.start_totp import StartTotpHandler
from core.passkeys.begin_registration import BeginPasskeyRegistrationHandler
from core.passkeys.begin_sign_in import BeginPasskeySignInHandler
from core.passkeys.begin_step_up import BeginPasskeyStepUpHandler
from core.passkeys.delete_passkey import DeletePasskeyHandler
from core.passkeys.finish_registration import FinishPasskeyRegistrationHandler
from core.passkeys.sign_in import SignInWithPasskeyHandler
from core.ports import IdentityProviders
from core.sessions.end_sessions import EndOtherSessionsHandler, EndSessionHandler
from core.sessions.list_sessions import ListSessionsHandler
from core.sessions.session_user import GetSessionUserHandler
from core.tokens.issue_access_token import IssueAccessTokenHandler
from core.tokens.revoke_refresh_token import RevokeRefreshTokenHandler
from core.users.cancel_email_change import CancelEmailChangeHandler
from core.users.confirm_email import ConfirmEmailHandler
from core.users.delete_account import DeleteAccountHandler
from core.users.register import RegisterUserHandler
from core.users.request_password_reset import RequestPasswordResetHandler
from core.users.resend_verification import ResendVerificationHandler
from core.users.reset_password import ResetPasswordHandler
from core.users.update_profile import UpdateProfileHandler

ACCOUNT_FORMS = ("username", "email", "password", "delete", "confirmation")
PASSKEY_FORMS = ("save", "remove")


def _provider_kit(settings: Settings, injector: Injector) -> ProviderKit:
    cookies = Cookies(settings.session_cookie_secure)
    return ProviderKit(
        injector.get(IdentityProviders),  # type: ignore[type-abstract]
        ProviderCookies(load_key_file(settings.csrf_key_file), cookies, settings.oidc_flow_seconds),
        settings.public_base_url,
    )


def _provider_pages(
    kit: PageKit, providers: ProviderKit, second_step: SecondStepPage, injector: Injector
) -> dict[str, Page]:
    """Sign-in through a provider, and linking providers to the account."""
    linked = injector.get(LinkedIdentitiesHandler)
    return {
        "/login/{provider}": ProviderSignInStart(kit, providers=providers),
        "/login/{provider}/callback": ProviderCallback(
            kit,
            providers=providers,
            sign_in=injector.get(SignInWithIdentityHandler),
            second_step=second_step,
        ),
        "/account/link/{provider}": ProviderLinkStart(kit, providers=providers),
        "/account/link": LinkProviderPage(
            kit, providers=providers, link=injector.get(LinkIdentityHandler)
        ),
        "/account/unlink": UnlinkProviderPage(
            kit, providers=providers, unlink=injector.get(UnlinkIdentityHandler), linked=linked
        ),
    }


def _kit(settings: Settings, injector: Injector, templates: Templates) -> PageKit:
    cookies = Cookies(settings.session_cookie_secure)
    sessions = Sessions(
        cookies,
        session_user=injector.get(GetSessionUserHandler),
        sign_in=injector.get(IssueAccessTokenHandler),
        complete_sign_in=injector.get(CompleteSignInHandler),
        passkey_sign_in=injector.get(SignInWithPasskeyHandler),
        sign_out=injector.get(RevokeRefreshTokenHandler),
    )
    csrf = CsrfTokens(load_key_file(settings.csrf_key_file), cookies)
    return PageKit(templates, csrf, sessions, settings.max_body_bytes)


def add_pages(app: falcon.asgi.App[Any, Any], settings: Settings, injector: Injector) -> None:
    """Route the pages (at the paths the mails link to under PUBLIC_BASE_URL) and their
    stylesheet; errors on their routes become pages too."""
    templates = Templates()
    kit = _kit(settings, injector, templates)
    providers = _provider_kit(settings, injector)
    links = ProviderLinks(
        kit,
        providers,
        link=injector.get(LinkIdentityHandler),
        linked=injector.get(LinkedIdentitiesHandler),
    )
    second_step = SecondStepPage(
        kit, begin=injector.get(BeginPasskeySecondStepHandler), providers=links
    )
    sign_in = SignInPage(
        kit,
        begin_passkey=injector.get(BeginPasskeySignInHandler),
        second_step=second_step,
        providers=links,
    )
    pages: dict[str, Page] = {
        "/": HomePage(kit),
        "/signup": SignUpPage(kit, register=injector.get(RegisterUserHandler)),
        "/login": sign_in,
        "/login/code": second_step,
        "/logout": SignOutPage(kit),
        "/forgot-password": ForgotPasswordPage(
            kit, request_reset=injector.get(RequestPasswordResetHandler)
        ),
        "/reset-password": ResetPasswordPage(kit, reset=injector.get(ResetPasswordHandler)),
        "/verify-email": ConfirmEmailPage(kit, confirm=injector.get(ConfirmEmailHandler)),
        "/cancel-email-change": CancelEmailChangePage(
            kit, cancel=injector.get(CancelEmailChangeHandler)
        ),
        **_provider_pages(kit, providers, second_step, injector),
    }
    for path, page in pages.items():
        app.add_route(path, page)
    account = AccountPage(
        kit,
        update_profile=injector.get(UpdateProfileHandler),
        delete_account=injector.get(DeleteAccountHandler),
        resend=injector.get(ResendVerificationHandler),
        mfa_status=injector.get(GetMfaStatusHandler),
        begin_step_up=injector.get(BeginPasskeyStepUpHandler),
        providers=links,
        sessions=SessionList(injector.get(ListSessionsHandler)),
    )
    app.add_route("/account", account)
    for form in ACCOUNT_FORMS:
        app.add_route(f"/account/{form}", account, suffix=form)
    session_forms: dict[str, Page] = {
        "/account/sessions/end": EndSessionPage(kit, end=injector.get(EndSessionHandler)),
        "/account/sessions/end-others": EndOtherSessionsPage(
            kit, end_others=injector.get(EndOtherSessionsHandler)
        ),
    }
    for path, page in session_forms.items():
        app.add_route(path, page)
    two_step = TwoStepPage(
        kit,
        status=injector.get(GetMfaStatusHandler),
        start=injector.get(StartTotpHandler),
        confirm=injector.get(ConfirmTotpHandler),
        disable=injector.get(DisableTotpHandler),
        regenerate=injector.get(RegenerateRecoveryCodesHandler),
        begin_step_up=injector.get(BeginPasskeyStepUpHandler),
    )
    app.add_route("/account/two-step", two_step)
    for form in TWO_STEP_FORMS:
        suffix = form.replace("-", "_").replace(".", "_")
        app.add_route(f"/account/two-step/{form}", two_step, suffix=suffix)
    app.add_route("/login/passkey", sign_in, suffix="passkey")
    passkeys = AccountPasskeysPage(
        kit,
        account=account,
        begin=injector.get(BeginPasskeyRegistrationHandler),
        finish=injector.get(FinishPasskeyRegistrationHandler),
        delete=injector.get(DeletePasskeyHandler),
    )
    app.add_route("/account/passkeys", passkeys)
    for form in PASSKEY_FORMS:
        app.add_route(f"/account/passkeys/{form}", passkeys, suffix=form)
    app.add_static_route("/static", str(STATIC))
    routes = {
        *pages,
        *session_forms,
        "/account",
        *(f"/account/{form}" for form in ACCOUNT_FORMS),
        "/account/two-step",
        *(f"/account/two-step/{form}" for form in TWO_STEP_FORMS),
        "/login/passkey",
        "/account/passkeys",
        *(f"/account/passkeys/{form}" for form in PASSKEY_FORMS),
    }
    app.set_error_serializer(PageErrors(templates, frozenset(routes), serialize_problem))
