"""The dashboard's basic auth guard, called as a WSGI server calls it."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from actors.basic_auth import basic_auth


def _app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"the dashboard"]


def _call(header: str | None) -> tuple[str, list[bytes]]:
    guarded = basic_auth(_app, "ops", "dash-secret")
    environ = {} if header is None else {"HTTP_AUTHORIZATION": header}
    statuses: list[str] = []
    body = guarded(environ, lambda status, headers: statuses.append(status))
    return statuses[0], list(body)


def _basic(credentials: bytes) -> str:
    return "Basic " + base64.b64encode(credentials).decode()


def test_the_right_credentials_pass() -> None:
    assert _call(_basic(b"ops:dash-secret")) == ("200 OK", [b"the dashboard"])
    assert _call("basic  " + base64.b64encode(b"ops:dash-secret").decode())[0] == "200 OK"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Basic",
        "Bearer abc",
        _basic(b"ops:wrong"),
        _basic(b"admin:dash-secret"),
        _basic(b"ops"),  # no colon
        "Basic !!!not-base64!!!",
        "Basic b3Bz",  # "ops": base64 fine, no colon
        "Basic b3BzOmRhc2gtc2VjcmV0\u00e9",
        # WSGI hands header bytes over as latin-1 text: non-ASCII arrives as such characters.
        "Basic \u00c3\u00a9\u00c3\u00a9",
        _basic("ops:dash-secret\u00e9".encode()),
        "Basic " + "\u00ff" * 40,
    ],
)
def test_anything_else_is_401_never_an_error(header: str | None) -> None:
    status, body = _call(header)
    assert status == "401 Unauthorized"
    assert b"Sign in" in body[0]
