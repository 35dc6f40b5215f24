"""The pages the service serves to people (/docs, /redoc) load everything from the service itself:
nothing the HTML references, nor anything the stylesheets it loads reference, points at another
origin, and their Content-Security-Policy forbids the browser any other. A page that needs a CDN
is blank offline, and tells the CDN who reads the document."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import falcon.asgi
import httpx
import pytest
from falcon.inspect import inspect_routes

from api.resources.docs import Page

BASE = "http://testserver"
# src="...", href="...", spec-url="...", url: "..." (a page's script configuring a viewer) and
# CSS's url(...): every way these pages and stylesheets name something for the browser to load.
REFERENCE = re.compile(
    r"""\b(?:src|href|[\w-]*url)\s*[=:]\s*(?:"([^"]*)"|'([^']*)')"""
    r"""|\burl\(\s*(?:"((?:\\.|[^"\\])*)"|'((?:\\.|[^'\\])*)'|([^\s"')]*))\s*\)""",
    re.IGNORECASE,
)
# Inline content, part of the page itself.
INLINE_SCHEMES = {"data"}


def references(text: str) -> list[str]:
    return [
        next(group for group in match.groups() if group is not None)
        for match in REFERENCE.finditer(text)
    ]


def other_origins(base: str, text: str) -> list[str]:
    origin = urlsplit(BASE)[:2]
    found = []
    for reference in references(text):
        url = urlsplit(urljoin(base, reference))
        if url.scheme not in INLINE_SCHEMES and url[:2] != origin:
            found.append(reference)
    return found


@pytest.fixture(scope="module")
async def client(app: falcon.asgi.App[Any, Any]) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


def page_paths(app: falcon.asgi.App[Any, Any]) -> list[str]:
    return sorted(route.path for route in inspect_routes(app) if route.class_name == Page.__name__)


def test_the_reference_finder_sees_what_a_browser_would_load() -> None:
    html = """<script src="https://cdn.example/x.js"></script><link href='/a.css'>
    <redoc spec-url="/openapi.json"></redoc><script>Ui({url: "//cdn.example/doc"})</script>"""
    svg = r"data:image/svg+xml,<svg xmlns=\"http://www.w3.org/2000/svg\">"
    css = f"""a {{ background: url("{svg}") }} b {{ background: url(//x.example/i) }}
    c {{ background: url( 'https://y.example/f.woff' ) }}"""
    assert other_origins(f"{BASE}/docs", html) == ["https://cdn.example/x.js", "//cdn.example/doc"]
    assert other_origins(f"{BASE}/docs/static/a.css", css) == [
        "//x.example/i",
        "https://y.example/f.woff",
    ]


async def test_every_page_and_what_it_loads_comes_from_the_service(
    app: falcon.asgi.App[Any, Any], client: httpx.AsyncClient
) -> None:
    pages = page_paths(app)
    assert {"/docs", "/redoc"} <= set(pages)
    for path in pages:
        page = await client.get(path)
        assert page.status_code == 200, path
        assert page.headers["content-type"].startswith("text/html")
        assert not other_origins(str(page.url), page.text), f"{path} loads from another origin"
        for reference in references(page.text):
            url = urljoin(str(page.url), reference)
            if urlsplit(url).scheme in INLINE_SCHEMES:
                continue
            asset = await client.get(url)
            assert asset.status_code == 200, f"{path} references {reference}: {asset.status_code}"
            assert asset.content, f"{path} references {reference}, which is empty"
            if asset.headers.get("content-type", "").startswith("text/css"):
                assert not other_origins(url, asset.text), f"{reference} loads from another origin"


async def test_every_page_forbids_the_browser_other_origins(
    app: falcon.asgi.App[Any, Any], client: httpx.AsyncClient
) -> None:
    """What the scripts load at run time is not in the HTML (ReDoc draws a logo from its maker's
    site): the page's Content-Security-Policy keeps the browser itself to this origin."""
    for path in page_paths(app):
        policy = (await client.get(path)).headers.get("content-security-policy", "")
        directives = [directive.split() for directive in policy.split(";") if directive.strip()]
        assert ["default-src", "'self'"] in directives, f"{path}: {policy!r}"
        sources = [source for _, *sources in directives for source in sources]
        allowed = [s for s in sources if s.startswith("'") or s in ("data:", "blob:")]
        assert sources == allowed, f"{path} allows another origin: {policy!r}"


async def test_swagger_ui_does_not_send_the_document_to_the_online_validator(
    client: httpx.AsyncClient,
) -> None:
    # Swagger UI's default draws a badge from an online validator given this document's URL.
    assert "validatorUrl: null" in (await client.get("/docs")).text


async def test_redoc_is_served_by_the_service(client: httpx.AsyncClient) -> None:
    script = await client.get("/redoc/static/redoc.standalone.js")
    assert script.status_code == 200
    assert len(script.content) > 500_000, "not ReDoc's standalone bundle"
    assert "javascript" in script.headers["content-type"]
