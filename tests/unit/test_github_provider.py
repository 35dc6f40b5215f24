"""GitHub as a provider, against a stand-in of its OAuth and REST endpoints: the identity is
its user id, the address the primary one, verified only when GitHub says so."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client

from adapters.oidc.github import GitHubProvider
from adapters.oidc.settings import GITHUB_ISSUER, ProviderSettings
from core.domain.identities import IdentityRejected, ProviderUnavailable
from core.ports import CodeGrant

SETTINGS = ProviderSettings(
    name="github",
    label="GitHub",
    kind="github",
    issuer=GITHUB_ISSUER,
    client_id="gh-client",
    client_secret="gh-secret",
    client_secret_file=None,
    scopes=("read:user", "user:email"),
)
GRANT = CodeGrant("the-code", "the-verifier", None, "http://127.0.0.1:8000/login/github/callback")

Answer = Callable[[httpx.Request], httpx.Response]


def github(emails: list[dict[str, object]], token: Answer | None = None) -> GitHubProvider:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/login/oauth/access_token":
            if token is not None:
                return token(request)
            form = parse_qs(request.content.decode())
            assert form["code_verifier"] == ["the-verifier"]
            assert form["code"] == ["the-code"]
            return httpx.Response(200, json={"access_token": "gho_x", "token_type": "bearer"})
        assert request.headers["authorization"] == "Bearer gho_x"
        if request.url.path == "/user":
            return httpx.Response(200, json={"id": 583231, "login": "octocat"})
        if request.url.path == "/user/emails":
            return httpx.Response(200, json=emails)
        return httpx.Response(404)

    client = AsyncOAuth2Client(
        client_id="gh-client",
        client_secret="gh-secret",
        code_challenge_method="S256",
        transport=httpx.MockTransport(answer),
    )
    return GitHubProvider(SETTINGS, client)


async def test_the_authorization_request_has_pkce_and_state_but_no_nonce() -> None:
    request = await github([]).authorization_request(GRANT.redirect_uri)

    query = parse_qs(urlsplit(request.url).query)
    assert request.url.startswith("https://github.com/login/oauth/authorize?")
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] == [request.state]
    assert request.nonce is None
    assert "nonce" not in query


async def test_the_primary_verified_address_and_the_user_id() -> None:
    emails = [
        {"email": "old@example.com", "primary": False, "verified": True},
        {"email": "octo@example.com", "primary": True, "verified": True},
    ]

    identity = await github(emails).identity_from_code(GRANT)

    assert (identity.issuer, identity.subject) == ("https://github.com", "583231")
    assert (identity.email, identity.email_verified) == ("octo@example.com", True)
    assert identity.preferred_username == "octocat"


async def test_a_primary_address_github_has_not_verified_is_unverified() -> None:
    emails = [
        {"email": "verified@example.com", "primary": False, "verified": True},
        {"email": "octo@example.com", "primary": True, "verified": False},
    ]

    identity = await github(emails).identity_from_code(GRANT)

    assert identity.email_verified is False


async def test_a_code_github_refuses_is_rejected() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"error": "bad_verification_code"})

    with pytest.raises(IdentityRejected) as raised:
        await github([], token=refused).identity_from_code(GRANT)
    assert raised.value.reason == "code_rejected"


@pytest.mark.parametrize(
    "answer",
    [
        lambda request: httpx.Response(502, text="<html>Bad gateway</html>"),
        lambda request: httpx.Response(200, text="not json"),
    ],
)
async def test_github_down_or_answering_garbage_is_unavailable(answer: Answer) -> None:
    with pytest.raises(ProviderUnavailable):
        await github([], token=answer).identity_from_code(GRANT)


async def test_github_issues_no_id_tokens() -> None:
    with pytest.raises(IdentityRejected):
        await github([]).identity_from_id_token("x.y.z", "nonce")
