from __future__ import annotations

from pathlib import Path

import falcon.asgi
import orjson
import swagger_ui

SWAGGER_STATIC = Path(swagger_ui.__file__).parent / "static"

_SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Accounts API</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui",
deepLinking: true, persistAuthorization: true});</script></body></html>"""

_REDOC_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Accounts API</title></head>
<body><redoc spec-url="/openapi.json"></redoc>
<script src="https://cdn.jsdelivr.net/npm/redoc@2.5.0/bundles/redoc.standalone.js"></script>
</body></html>"""


class OpenApi:
    openapi = None  # the document does not describe itself

    def __init__(self, spec: dict[str, object]) -> None:
        self._body = orjson.dumps(spec)

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.content_type = "application/json"
        resp.data = self._body


class Page:
    openapi = None  # HTML for people reading the document

    def __init__(self, html: str) -> None:
        self._html = html

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.content_type = "text/html; charset=utf-8"
        resp.text = self._html


def swagger_page() -> Page:
    return Page(_SWAGGER_PAGE)


def redoc_page() -> Page:
    return Page(_REDOC_PAGE)
