"""Every error leaves as application/problem+json (RFC 9457), built in this one place."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import falcon
import falcon.asgi
import orjson

from core.domain import (
    AlreadyVerified,
    Conflict,
    DomainError,
    Forbidden,
    InvalidActionToken,
    InvalidCredentials,
    InvalidInput,
    InvalidMfaToken,
    InvalidPasskey,
    InvalidRefreshToken,
    MailRejected,
    MailServerUnavailable,
    NotFound,
    RateLimited,
    SecondFactorRequired,
    StateConflict,
    Unauthenticated,
    Unavailable,
)
from core.ports import BreachCheckUnavailable, EmailCheckMisconfigured, EmailCheckUnavailable
from core.ports.webhooks import WebhookUnreachable

PROBLEM_JSON = "application/problem+json"
SERVER_FAULT = "The server failed to handle this request; quote the request_id to report it."
MFA_REQUIRED = "tag:accounts.example,2026:problems/mfa-required"
"""The `type` of the answer to a right password when the account asks for a second factor."""
log = logging.getLogger("api.errors")

# Domain error -> HTTP status. The one table that maps core's errors to HTTP. A 500 says the
# fault is ours: its detail stays in the log and the client gets SERVER_FAULT instead.
STATUS_OF: dict[type[DomainError], int] = {
    InvalidActionToken: 400,
    InvalidPasskey: 400,
    NotFound: 404,
    AlreadyVerified: 409,
    InvalidInput: 422,
    InvalidCredentials: 401,
    InvalidRefreshToken: 401,
    InvalidMfaToken: 401,
    Unauthenticated: 401,
    Forbidden: 403,
    SecondFactorRequired: 403,
    Conflict: 409,
    StateConflict: 409,
    RateLimited: 429,
    Unavailable: 503,
    # Raised by the background jobs and the mailer, which handle them; here in case one ever
    # reaches a request.
    EmailCheckUnavailable: 503,
    BreachCheckUnavailable: 503,
    MailServerUnavailable: 503,
    WebhookUnreachable: 503,
    EmailCheckMisconfigured: 500,
    MailRejected: 500,
}


def status_of(error: DomainError) -> int:
    # A DomainError without a row is a bug (tests/unit/test_problems.py looks for one): a 500.
    return next((STATUS_OF[cls] for cls in type(error).__mro__ if cls in STATUS_OF), 500)


class Problem(falcon.HTTPError):
    """An HTTP error with RFC 9457 members; `errors` maps field names to messages. A problem of
    a `type` of its own has a `title` of its own and may carry extension members."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
        type: str = "about:blank",
        title: str | None = None,
        extensions: dict[str, object] | None = None,
    ) -> None:
        super().__init__(
            status, title=title or HTTPStatus(status).phrase, description=detail, headers=headers
        )
        self.errors = errors
        self.type = type
        self.extensions = extensions or {}


def problem_body(req: falcon.Request, error: falcon.HTTPError) -> dict[str, object]:
    status = error.status_code
    problem_type = getattr(error, "type", "about:blank")
    body: dict[str, object] = {
        "type": problem_type,
        # For type about:blank, RFC 9457 wants the status phrase as the title.
        "title": error.title if problem_type != "about:blank" else HTTPStatus(status).phrase,
        "status": status,
        "detail": error.description or HTTPStatus(status).description,
    }
    errors = getattr(error, "errors", None)
    if errors:
        body["errors"] = errors
    body.update(getattr(error, "extensions", {}))
    request_id = getattr(req.context, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return body


def serialize_problem(req: falcon.Request, resp: falcon.Response, error: falcon.HTTPError) -> None:
    resp.content_type = PROBLEM_JSON
    resp.data = orjson.dumps(problem_body(req, error))


def _www_authenticate(error: DomainError) -> dict[str, str]:
    if isinstance(error, Unauthenticated):
        return {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    if isinstance(error, InvalidRefreshToken):
        return {"WWW-Authenticate": 'Bearer error="invalid_grant"'}
    if isinstance(error, InvalidCredentials | InvalidMfaToken):
        return {"WWW-Authenticate": "Bearer"}
    return {}


async def handle_domain_error(
    req: falcon.asgi.Request, resp: falcon.asgi.Response, error: DomainError, params: object
) -> None:
    status = status_of(error)
    if status == 500:
        log.error(
            "domain error answered with 500",
            exc_info=error,
            extra={"error_class": type(error).__qualname__, "path": req.path, "method": req.method},
        )
        raise Problem(500, SERVER_FAULT)
    headers = _www_authenticate(error)
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(max(1, error.retry_after))
    if status == 503:
        headers["Retry-After"] = "5"
        log.warning("dependency unavailable", extra={"detail": error.detail})
    if isinstance(error, SecondFactorRequired):
        raise Problem(
            status,
            error.detail,
            headers=headers,
            type=MFA_REQUIRED,
            title="A second factor is required",
            extensions={"mfa_token": error.mfa_token, "methods": list(error.methods)},
        )
    raise Problem(status, error.detail, errors=getattr(error, "errors", None), headers=headers)


async def handle_unexpected(
    req: falcon.asgi.Request, resp: falcon.asgi.Response, error: Exception, params: object
) -> None:
    log.error("unhandled error", exc_info=error, extra={"path": req.path, "method": req.method})
    raise Problem(500, SERVER_FAULT)


def install(app: falcon.asgi.App[Any, Any]) -> None:
    app.set_error_serializer(serialize_problem)
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(DomainError, handle_domain_error)
