"""HTTP basic auth in front of a WSGI app (the Dramatiq dashboard)."""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Callable, Iterable
from typing import Any

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def basic_auth(app: WsgiApp, user: str, password: str, realm: str = "dramatiq") -> WsgiApp:
    expected = (user.encode(), password.encode())

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        given = _basic_credentials(environ.get("HTTP_AUTHORIZATION", ""))
        if given is not None:
            # Both compared every time, so the time taken does not tell which one was wrong.
            user_ok = hmac.compare_digest(given[0], expected[0])
            password_ok = hmac.compare_digest(given[1], expected[1])
            if user_ok and password_ok:
                return app(environ, start_response)
        start_response(
            "401 Unauthorized",
            [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("WWW-Authenticate", f'Basic realm="{realm}", charset="UTF-8"'),
            ],
        )
        return [b"Sign in to see the Dramatiq dashboard.\n"]

    return guarded


def _basic_credentials(header: str) -> tuple[bytes, bytes] | None:
    """(user, password) of a Basic Authorization header, or None for anything malformed:
    another scheme, bytes outside ASCII (WSGI hands them over as latin-1 text), base64 that
    does not decode, or no colon."""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(token.strip().encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        return None
    user, colon, password = decoded.partition(b":")
    return (user, password) if colon else None
