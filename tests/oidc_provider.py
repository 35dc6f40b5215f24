"""The OpenID Provider `ops/services up oidc` starts (ops/oidc/provider.mjs), as tests use it:
its settings for the service, and a person signing in on its development pages (any login
name is an account: `<login>@example.com`, verified unless the name starts with
"unverified")."""

from __future__ import annotations

import re
import secrets
import uuid
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from adapters.oidc.settings import ProviderSettings

ISSUER = "http://127.0.0.1:9010"
CLIENT_ID = "accounts"
CLIENT_SECRET = "accounts-local-secret"
OTHER_CLIENT = ("other-app", "other-app-secret", "http://127.0.0.1:4000/callback")

LOCAL = ProviderSettings(
    name="local",
    label="Local",
    kind="oidc",
    issuer=ISSUER,
    client_id=CLIENT_ID,
    client_secret=CLIENT_SECRET,
    client_secret_file=None,
    scopes=("openid", "email", "profile"),
)


def provider_environment() -> dict[str, str]:
    """The settings that give a process started by the tests the local provider."""
    return {
        "OIDC_PROVIDERS": "local",
        "OIDC_LOCAL_ISSUER": ISSUER,
        "OIDC_LOCAL_CLIENT_ID": CLIENT_ID,
        "OIDC_LOCAL_CLIENT_SECRET": CLIENT_SECRET,
    }


def require_provider() -> None:
    try:
        httpx.get(f"{ISSUER}/.well-known/openid-configuration", timeout=2).raise_for_status()
    except httpx.HTTPError:
        pytest.fail(f"no OpenID Provider at {ISSUER}: start it with `ops/services up oidc`")


def fresh_login(prefix: str = "p") -> str:
    """A login name no run used before (the provider keeps its accounts across runs)."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


async def sign_in_at_provider(authorize_url: str, login: str) -> str:
    """Go through the provider's login and consent pages as `login`; returns the URL it sends
    the browser back to (the redirect URI with the code and the state)."""
    async with httpx.AsyncClient(timeout=10) as browser:
        response = await browser.get(authorize_url)
        for _ in range(10):
            if response.is_redirect:
                location = str(response.url.join(response.headers["location"]))
                if not location.startswith(ISSUER):
                    return location
                response = await browser.get(location)
                continue
            assert response.status_code == 200, response.text
            action = re.search(r'action="([^"]+)"', response.text)
            prompt = re.search(r'name="prompt" value="(\w+)"', response.text)
            assert action, response.text
            assert prompt, response.text
            form = {"prompt": prompt[1]}
            if prompt[1] == "login":
                form |= {"login": login, "password": "any"}
            response = await browser.post(response.url.join(action[1]), data=form)
    raise AssertionError("the provider never sent the browser back")


async def id_token_for(login: str, nonce: str, client: tuple[str, str, str] | None = None) -> str:
    """An ID token for `login`, obtained as a client of the provider does it itself (say an app
    on a phone): code flow with PKCE, then the token endpoint."""
    client_id, secret, redirect_uri = client or (
        CLIENT_ID,
        CLIENT_SECRET,
        "http://127.0.0.1:4000/login/local/callback",
    )
    verifier = generate_token(48)
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid email profile",
        "state": secrets.token_urlsafe(16),
        "nonce": nonce,
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    back = await sign_in_at_provider(f"{ISSUER}/auth?{urlencode(query)}", login)
    code = parse_qs(urlsplit(back).query)["code"][0]
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(
            f"{ISSUER}/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
            auth=(client_id, secret),
        )
    response.raise_for_status()
    return str(response.json()["id_token"])
