"""The `dashboard` process: the Dramatiq dashboard behind HTTP basic auth.

uvicorn actors.dashboard:app --host 127.0.0.1 --port 8081
"""

from __future__ import annotations

import base64
import hmac
import logging
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from a2wsgi import WSGIMiddleware
from dramatiq_dashboard import DashboardApp

from adapters.bootstrap.dashboard import dashboard_broker
from adapters.logs import configure_logging
from adapters.settings import Settings

log = logging.getLogger("actors.dashboard")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def basic_auth(app: WsgiApp, user: str, password: str, realm: str = "dramatiq") -> WsgiApp:
    expected = base64.b64encode(f"{user}:{password}".encode()).decode()

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        header = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() == "basic" and hmac.compare_digest(given.strip(), expected):
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


def create_app(settings: Settings) -> WSGIMiddleware:
    password = settings.dashboard_password
    if not password:
        password = secrets.token_urlsafe(12)
        # No default password: without DASHBOARD_PASSWORD each start makes one up and says so.
        log.warning(
            "DASHBOARD_PASSWORD is not set; generated one for this run",
            extra={"user": settings.dashboard_user, "password": password},
        )
    dashboard = DashboardApp(broker=dashboard_broker(settings), prefix="")
    return WSGIMiddleware(basic_auth(dashboard, settings.dashboard_user, password))  # type: ignore[arg-type]


_settings = Settings.from_env()
configure_logging(_settings.log_level, _settings.log_json)
app = create_app(_settings)
