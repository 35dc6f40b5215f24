"""Jinja2 templates (beside this module, in templates/) and the headers every page is sent with."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import falcon
import jinja2

from core.domain import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def _policy(scripts: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


# Everything from this service and nothing from elsewhere, and no other site may frame the
# pages (clickjacking) or be the target of their forms. Most pages run no script at all; those
# with a passkey's form run one, PASSKEY_SCRIPT, from this service's own files: no inline
# script, no eval, nothing another site or an injected attribute could run.
POLICY = _policy("'none'")
POLICY_WITH_SCRIPT = _policy("'self'")
PASSKEY_SCRIPT = "/static/passkeys.js"
"""The pages' one script: it asks the browser for a passkey (`navigator.credentials`) when a
form that needs one is sent."""


class Templates:
    """The pages' templates, escaped by default; a name a template uses and nobody gave it is an
    error, not an empty string."""

    def __init__(self, folder: Path = TEMPLATES) -> None:
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folder),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # Hints shown before anything is typed; the rules themselves are the schemas' and core's.
        self._env.globals.update(
            username_hint="3 to 32 characters: letters, digits, and _ . -",
            password_hint=f"{PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters.",
        )
        self._env.filters["moment"] = moment

    def render(self, name: str, **context: Any) -> str:
        return self._env.get_template(name).render(**context)


def moment(at: datetime) -> str:
    """A time as the pages show it: to the minute, in UTC (the pages run no script that could
    read the browser's time zone)."""
    return at.astimezone(UTC).strftime("%d %B %Y, %H:%M UTC")


def send_html(resp: falcon.Response, html: str, status: int = 200, scripts: bool = False) -> None:
    """A page and its headers. No page is cached or names itself to the next site: each carries
    a CSRF token, some the account's data, some a mailed token in their URL. Only a page with
    `scripts` (a passkey's form) may run PASSKEY_SCRIPT."""
    resp.status = status
    resp.content_type = falcon.MEDIA_HTML
    resp.set_header("Content-Security-Policy", POLICY_WITH_SCRIPT if scripts else POLICY)
    resp.set_header("Referrer-Policy", "no-referrer")
    resp.set_header("X-Content-Type-Options", "nosniff")
    resp.cache_control = ["no-store"]
    resp.text = html
