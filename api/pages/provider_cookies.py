"""What a sign-in through a provider keeps between requests, in signed cookies bound to the
browser: the request's state, nonce and PKCE verifier while the person is at the provider
(`provider_flow`), then an identity waiting to be linked (`provider_link`).

Each is HttpOnly, SameSite=Lax (the provider's redirect back is a top-level GET, which carries
it), short-lived (OIDC_FLOW_SECONDS, in the cookie and in the signed value), and signed with
HMAC-SHA256 under a key derived from the CSRF key over the browser's id (the CSRF cookie): a
value copied into another browser, altered, or kept past its time is refused. Nothing in them
is a secret from the browser that holds them: the verifier only matters together with the code,
which the provider sends to this same browser."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from typing import Any

import falcon
import orjson

from api.pages.session import Cookies

FLOW = "provider_flow"
LINK = "provider_link"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ProviderCookies:
    def __init__(self, csrf_key: bytes, cookies: Cookies, lifetime_seconds: int) -> None:
        self._key = hmac.new(csrf_key, b"provider-cookies", hashlib.sha256).digest()
        self._cookies = cookies
        self._lifetime = lifetime_seconds
        prefix = "__Host-" if cookies.secure else ""
        self._names = {FLOW: f"{prefix}{FLOW}", LINK: f"{prefix}{LINK}"}

    def write(
        self, req: falcon.Request, resp: falcon.Response, kind: str, value: dict[str, Any]
    ) -> None:
        browser = self._cookies.get(req, self._cookies.browser)
        if not browser:
            browser = secrets.token_urlsafe(32)
            self._cookies.set(resp, self._cookies.browser, browser, max_age=None)
        payload = _b64(orjson.dumps({**value, "exp": int(time.time()) + self._lifetime}))
        signed = f"{payload}.{self._sign(kind, browser, payload)}"
        self._cookies.set(resp, self._names[kind], signed, self._lifetime)

    def read(self, req: falcon.Request, kind: str) -> dict[str, Any] | None:
        """The value, if this browser's, unaltered and not expired; None otherwise."""
        raw = self._cookies.get(req, self._names[kind])
        browser = self._cookies.get(req, self._cookies.browser)
        if not raw or not browser or raw.count(".") != 1:
            return None
        payload, signature = raw.split(".")
        if not hmac.compare_digest(signature, self._sign(kind, browser, payload)):
            return None
        try:
            value = orjson.loads(_unb64(payload))
        except (ValueError, orjson.JSONDecodeError):
            return None
        if not isinstance(value, dict) or not isinstance(value.get("exp"), int):
            return None
        return value if value["exp"] > time.time() else None

    def clear(self, req: falcon.Request, resp: falcon.Response, kind: str) -> None:
        if self._cookies.get(req, self._names[kind]) is not None:
            self._cookies.clear(resp, self._names[kind])

    def _sign(self, kind: str, browser: str, payload: str) -> str:
        message = f"{kind}\x00{browser}\x00{payload}".encode()
        return _b64(hmac.new(self._key, message, hashlib.sha256).digest())
