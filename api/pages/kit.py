"""What every page resource is handed: templates, CSRF tokens, sessions and form reading; and the
base class that puts a page outside the API contract and in its own rate-limit group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import falcon
import falcon.asgi

from api.body import read_form
from api.pages.csrf import CsrfTokens
from api.pages.forms import Form
from api.pages.rendering import PASSKEY_SCRIPT, Templates, send_html
from api.pages.session import Sessions
from core.domain import User

# Said once on the page a form's success leads to (`?notice=...`): fixed words, so that a link
# cannot make the site say anything else.
NOTICES = {
    "signed-up": "Welcome! We mailed you a link: open it to confirm your email address.",
    "signed-out": "You are signed out.",
    "email-confirmed": "Your email address is confirmed.",
    "username-changed": "Your username is changed.",
    "email-change-asked": "Almost there: open the link we mailed to the new address to make it "
    "yours. Until then your current address stays the one you sign in and recover with.",
    "confirmation-sent": "A new confirmation link is on its way; earlier ones no longer work.",
    "password-changed": "Your password is changed and every session is signed out, this one "
    "too. Sign in with the new password.",
    "password-reset": "Your password is set and every session is signed out. Sign in with it.",
    "reset-mailed": "If an account has this address, we mailed it a link to set a new "
    "password. It works for 30 minutes.",
    "email-change-cancelled": "Done: the account keeps (or has back) its previous address, and "
    "every session is signed out. If the change had been confirmed already, the password no "
    "longer works: a link to set a new one is on its way to that address.",
    "account-deleted": "Your account is deleted. Goodbye!",
    "session-ended": "That session is ended: the device has to sign in again.",
    "session-gone": "That session had ended already.",
    "other-sessions-ended": "Every other session is ended; this one goes on.",
    "sign-in-first": "Sign in to see your account.",
    "two-step-off": "Two-step sign-in is off: signing in asks for the password only.",
    "sign-in-expired": "That sign-in took too long, or its code form was used already. Sign in "
    "again.",
    "passkey-added": "Your passkey is added. Sign in with it alone, or after your password: "
    "signing in with the password now asks for it.",
    "passkey-removed": "The passkey is removed: it signs nobody in any more.",
    "provider-linked": "Done: the provider is linked, and signs you in to this account.",
    "provider-not-linked": "You are signed in, but the provider was not linked: this account "
    "has another address than the provider gave. Link it below if it is yours.",
    "provider-unlinked": "The provider is unlinked: it no longer signs you in here.",
}


def redirect(resp: falcon.Response, location: str) -> None:
    """After a form: See Other, so that reloading the next page does not post it again."""
    resp.status = falcon.HTTP_303
    resp.location = location


@dataclass(frozen=True, slots=True)
class PageKit:
    templates: Templates
    csrf: CsrfTokens
    sessions: Sessions
    max_body_bytes: int

    async def form(self, req: falcon.asgi.Request) -> dict[str, str]:
        """The posted form, once its CSRF token is checked (403 otherwise)."""
        values = await read_form(req, self.max_body_bytes)
        self.csrf.check(req, values)
        return values

    def render(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        template: str,
        *,
        user: User | None,
        status: int = 200,
        scripts: bool = False,
        **context: Any,
    ) -> None:
        """`scripts`: the page has a passkey's form, and runs the script that answers it."""
        html = self.templates.render(
            template,
            user=user,
            csrf_token=self.csrf.token(req, resp),
            notice=NOTICES.get(req.get_param("notice") or ""),
            passkey_script=PASSKEY_SCRIPT if scripts else None,
            **context,
        )
        send_html(resp, html, status, scripts)


class Page:
    """A page: HTML for people, not part of the API's contract (no OpenAPI operations), and
    counted per client address in the `pages` rate-limit group (RATE_LIMIT_PAGES_PER_IP). Only
    that budget is the pages' own: a sign-in or a re-entered password posted from a page counts
    against the account's lockout exactly as one posted to the API."""

    openapi = None
    rate_limit_group = "pages"
    template: ClassVar[str] = ""
    title: ClassVar[str] = ""

    def __init__(self, kit: PageKit) -> None:
        self._kit = kit

    def _show(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        form: Form | None = None,
        user: User | None = None,
        **context: Any,
    ) -> None:
        """The page's template, with `form` as filled in (and its status, 200 when fine, unless
        the context names another `status`)."""
        status = context.pop("status", form.status if form is not None else 200)
        self._kit.render(
            req,
            resp,
            self.template,
            user=user,
            title=self.title,
            form=form,
            status=status,
            **context,
        )
