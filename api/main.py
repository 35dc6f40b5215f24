"""Entry point of the web process: `uvicorn --factory api.main:app_from_env`."""

from __future__ import annotations

from typing import Any

import falcon.asgi

from adapters.bootstrap.web import web_injector
from adapters.logs import configure_logging
from adapters.settings import Settings
from api.app import create_app
from api.serve import exit_with_launcher


def app_from_env() -> falcon.asgi.App[Any, Any]:
    exit_with_launcher()
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_json)
    return create_app(settings, web_injector(settings))
