"""The `dashboard` process: the Dramatiq dashboard behind HTTP basic auth.

uvicorn actors.dashboard:app --host 127.0.0.1 --port 8081
"""

from __future__ import annotations

import logging
import secrets

from a2wsgi import WSGIMiddleware
from dramatiq_dashboard import DashboardApp

from actors.basic_auth import basic_auth
from adapters.bootstrap.dashboard import dashboard_broker
from adapters.logs import configure_logging
from adapters.settings import Settings

log = logging.getLogger("actors.dashboard")


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
