"""CSRF protection of every form, signed-in or not (a forged sign-in form is an attack too).

Each browser gets a random id in an HttpOnly cookie; each form carries HMAC-SHA256(key, id),
the key being a file in the key directory (CSRF_KEY_FILE, made by `ops/keys ensure`). Another
site can make a browser post a form here, but can neither read the cookie nor compute the token
for it, and a token copied from the attacker's own browser does not match the victim's id. A
request that a browser marks as coming from another site (Sec-Fetch-Site: cross-site) is refused
before the token is even looked at.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import falcon

from api.pages.session import Cookies
from api.problems import Problem

FIELD = "csrf_token"
REFUSED = (
    "This form could not be accepted: it did not come from this site, or it was opened in "
    "another browser session. Go back, reload the page and send it again."
)


class CsrfTokens:
    def __init__(self, key: bytes, cookies: Cookies) -> None:
        self._key = key
        self._cookies = cookies

    def token(self, req: falcon.Request, resp: falcon.Response) -> str:
        """The token for this browser's forms; a browser without an id is given one."""
        browser = self._cookies.get(req, self._cookies.browser)
        if not browser:
            browser = secrets.token_urlsafe(32)
            # Until the browser closes: a form opened later gets a new id with its page.
            self._cookies.set(resp, self._cookies.browser, browser, max_age=None)
        return self._sign(browser)

    def check(self, req: falcon.Request, form: dict[str, str]) -> None:
        """Refuse (403) a form whose token is missing or is not this browser's."""
        browser = self._cookies.get(req, self._cookies.browser)
        given = form.get(FIELD, "")
        if (
            req.get_header("Sec-Fetch-Site") == "cross-site"
            or not browser
            or not hmac.compare_digest(given.encode(), self._sign(browser).encode())
        ):
            raise Problem(403, REFUSED)

    def _sign(self, browser: str) -> str:
        digest = hmac.new(self._key, b"csrf:" + browser.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
