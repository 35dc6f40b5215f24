"""The pages people read the API document with, Swagger UI at /docs and ReDoc at /redoc, and the
document itself. Both pages load their scripts and styles from this service, never from another
origin, so they work offline and tell no third party who reads the document."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import falcon.asgi
import orjson
import swagger_ui

SWAGGER_STATIC = Path(swagger_ui.__file__).parent / "static"


def _package_folder(name: str) -> Path:
    """Where an installed package's files are, without importing it: drf-spectacular-sidecar's
    `__init__` imports Django, which is not installed; only its static files are served."""
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{name} is not installed (run ops/setup)", name=name)
    return Path(next(iter(spec.submodule_search_locations)))


REDOC_STATIC = (
    _package_folder("drf_spectacular_sidecar") / "static/drf_spectacular_sidecar/redoc/bundles"
)

# validatorUrl: null, because Swagger UI's default shows a badge that an online validator draws
# from this document's URL: a request to another origin, and the document handed to it.
_SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Accounts API</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui",
deepLinking: true, persistAuthorization: true, validatorUrl: null});</script></body></html>"""

_REDOC_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Accounts API</title></head>
<body><redoc spec-url="/openapi.json"></redoc>
<script src="/redoc/static/redoc.standalone.js"></script>
</body></html>"""


class OpenApi:
    openapi = None  # the document does not describe itself

    def __init__(self, spec: dict[str, object]) -> None:
        self._body = orjson.dumps(spec)

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.content_type = "application/json"
        resp.data = self._body


class AsyncApi(OpenApi):
    """The AsyncAPI document of the public topic (api/asyncapi.py): events, not operations."""


# What the browser may load for a page: anything from this service, nothing from elsewhere. ReDoc's
# bundle draws the Redocly logo from Redocly's site (and hides it when that fails); this keeps the
# browser from asking. The rest lets the viewers run as they are built (the inline script that
# starts Swagger UI, styles injected at run time, the schema compiler bundled in ReDoc, which uses
# eval, and ReDoc's search worker from a blob: URL) and names no other origin.
PAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "worker-src 'self' blob:",
    )
)


class Page:
    openapi = None  # HTML for people reading the document

    def __init__(self, html: str) -> None:
        self._html = html

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.content_type = "text/html; charset=utf-8"
        resp.set_header("Content-Security-Policy", PAGE_POLICY)
        resp.text = self._html


def swagger_page() -> Page:
    return Page(_SWAGGER_PAGE)


def redoc_page() -> Page:
    return Page(_REDOC_PAGE)
