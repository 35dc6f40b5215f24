"""Errors on a page's route (a refused CSRF token, too many requests, a database outage) as a
page a person can read; on every other route, problem+json as before."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

import falcon

from api.pages.forms import wait_text
from api.pages.rendering import Templates, send_html

Serializer = Callable[[falcon.Request, falcon.Response, falcon.HTTPError], None]


class PageErrors:
    def __init__(self, templates: Templates, routes: frozenset[str], other: Serializer) -> None:
        self._templates = templates
        self._routes = routes
        self._other = other

    def __call__(self, req: falcon.Request, resp: falcon.Response, error: falcon.HTTPError) -> None:
        if req.uri_template not in self._routes:
            self._other(req, resp, error)
            return
        status = error.status_code
        message = error.description or HTTPStatus(status).description
        retry_after = dict(error.headers or {}).get("Retry-After", "")
        if status == 429 and retry_after.isdigit():
            message = f"Too many requests. Try again in {wait_text(int(retry_after))}."
        html = self._templates.render(
            "error.html",
            title=HTTPStatus(status).phrase,
            message=message,
            request_id=getattr(req.context, "request_id", None),
            user=None,
            notice=None,
        )
        send_html(resp, html, status)
