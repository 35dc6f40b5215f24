"""A browser on the pages (the app through ASGI) that signs in through the local OpenID
Provider (a real one, at tests/oidc_provider.ISSUER)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx

from adapters.settings import Settings
from core.ports import Clock
from tests.integration.api_client import Api, api_with
from tests.oidc_provider import LOCAL, require_provider, sign_in_at_provider


class ProviderBrowser:
    """Keeps its cookies; posts the forms it was sent, with their CSRF token."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def csrf(self, page: str = "/login") -> str:
        html = (await self.client.get(page)).text
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert match, f"no CSRF token on {page}: {html[:300]}"
        return match[1]

    async def submit(self, action: str, page: str, **fields: str) -> httpx.Response:
        token = await self.csrf(page)
        return await self.client.post(action, data={"csrf_token": token, **fields})

    async def start(self, provider: str = "local", page: str = "/login") -> str:
        """Press the provider's button on `page`; returns where the browser is sent."""
        html = (await self.client.get(page)).text
        button = f"/login/{provider}" if page == "/login" else f"/account/link/{provider}"
        assert f'href="{button}"' in html, html
        response = await self.client.get(button)
        assert response.status_code == 303, response.text
        return response.headers["location"]

    async def come_back(self, url: str) -> httpx.Response:
        """Open the URL the provider sent the browser back to, on this app."""
        parts = urlsplit(url)
        return await self.client.get(f"{parts.path}?{parts.query}")

    async def sign_in_with_provider(self, login: str) -> httpx.Response:
        return await self.come_back(await sign_in_at_provider(await self.start(), login))

    async def sign_up(self, name: str, email: str, password: str) -> None:
        fields = {"username": name, "email": email, "password": password}
        response = await self.submit("/signup", "/signup", **fields)
        assert response.status_code == 303, response.text
        self.client.cookies.delete("session")


@asynccontextmanager
async def provider_app(
    settings: Settings, clock: Clock | None = None, **changes: Any
) -> AsyncIterator[Api]:
    """The app with the local provider configured (and `changes`), on `clock` if given."""
    require_provider()
    changes.setdefault("identity_providers", (LOCAL,))
    async with api_with(settings, clock, **changes) as api:
        yield api
