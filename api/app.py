"""The app factory: the one place that wires resources, middleware and error handling."""

from __future__ import annotations

from typing import Any

import falcon
import falcon.asgi
import orjson
from injector import Injector

from adapters.health import Readiness
from adapters.lifecycle import Lifecycle
from adapters.settings import Settings
from api import problems
from api.asyncapi import build_asyncapi
from api.auth import Authentication
from api.client_ip import parse_networks
from api.middleware import RequestContext, SecurityHeaders
from api.openapi import build_spec
from api.pages import add_pages
from api.ratelimit import RateLimiting
from api.resources import docs
from api.resources.account_tokens import (
    EmailChangeCancellation,
    EmailVerification,
    EmailVerificationResend,
    PasswordForgot,
    PasswordResetResource,
)
from api.resources.admin import add_admin_routes
from api.resources.health import Health, Ready
from api.resources.provider_tokens import ProviderToken
from api.resources.security_events import SecurityEvents
from api.resources.sessions import UserSession, UserSessions
from api.resources.tokens import (
    AccessToken,
    Jwks,
    SecondStepToken,
    TokenRefresh,
    TokenRevocation,
)
from api.resources.users import Users
from api.second_factor_routes import add_second_factor_routes
from core.audit.list_security_events import ListSecurityEventsHandler
from core.identities.sign_in import SignInWithIdentityHandler
from core.mfa.complete_sign_in import CompleteSignInHandler
from core.ports import IdentityProviders, RateLimiter, TokenIssuer
from core.sessions.end_sessions import EndOtherSessionsHandler, EndSessionHandler
from core.sessions.list_sessions import ListSessionsHandler
from core.tokens.issue_access_token import IssueAccessTokenHandler
from core.tokens.refresh_access_token import RefreshAccessTokenHandler
from core.tokens.revoke_refresh_token import RevokeRefreshTokenHandler
from core.users.cancel_email_change import CancelEmailChangeHandler
from core.users.confirm_email import ConfirmEmailHandler
from core.users.delete_account import DeleteAccountHandler
from core.users.get_profile import GetProfileHandler
from core.users.register import RegisterUserHandler
from core.users.request_password_reset import RequestPasswordResetHandler
from core.users.resend_verification import ResendVerificationHandler
from core.users.reset_password import ResetPasswordHandler
from core.users.update_profile import UpdateProfileHandler


class _Shutdown:
    def __init__(self, lifecycle: Lifecycle) -> None:
        self._lifecycle = lifecycle

    async def process_shutdown(self, scope: dict[str, object], event: dict[str, object]) -> None:
        await self._lifecycle.close()


def _middleware(settings: Settings, injector: Injector, tokens: TokenIssuer) -> list[Any]:
    # Order matters: authentication only records its outcome, so that rate limiting can count
    # a request by IP before a bad token is refused, and by user once the token is good.
    middleware: list[Any] = [
        RequestContext(settings.request_id_pattern, parse_networks(settings.trusted_proxies)),
        SecurityHeaders(),
        _Shutdown(injector.get(Lifecycle)),
        Authentication(tokens),
    ]
    if settings.rate_limit_enabled:
        limits = settings.rate_limits
        middleware.append(
            RateLimiting(
                injector.get(RateLimiter),  # type: ignore[type-abstract]
                per_ip={
                    "users": limits["users_per_ip"],
                    "token": limits["token_per_ip"],
                    "pages": limits["pages_per_ip"],
                },
                per_user=limits["per_user"],
            )
        )
    return middleware


def _add_session_routes(app: falcon.asgi.App[Any, Any], injector: Injector) -> None:
    sessions = UserSessions(
        list_sessions=injector.get(ListSessionsHandler),
        end_others=injector.get(EndOtherSessionsHandler),
    )
    app.add_route("/api/v1/sessions", sessions)
    app.add_route(
        "/api/v1/sessions/{session_id:uuid}", UserSession(end=injector.get(EndSessionHandler))
    )


def create_app(settings: Settings, injector: Injector) -> falcon.asgi.App[Any, Any]:
    tokens = injector.get(TokenIssuer)  # type: ignore[type-abstract]
    app = falcon.asgi.App(middleware=_middleware(settings, injector, tokens))
    json = falcon.media.JSONHandler(dumps=orjson.dumps, loads=orjson.loads)
    app.resp_options.media_handlers[falcon.MEDIA_JSON] = json
    problems.install(app)

    body_limit = settings.max_body_bytes
    app.add_route(
        "/api/v1/users",
        Users(
            register=injector.get(RegisterUserHandler),
            get_profile=injector.get(GetProfileHandler),
            update_profile=injector.get(UpdateProfileHandler),
            delete_account=injector.get(DeleteAccountHandler),
            max_body_bytes=body_limit,
        ),
    )
    app.add_route(
        "/api/v1/users/security-events",
        SecurityEvents(list_events=injector.get(ListSecurityEventsHandler)),
    )
    app.add_route(
        "/api/v1/users/verify-email",
        EmailVerification(confirm=injector.get(ConfirmEmailHandler), max_body_bytes=body_limit),
    )
    app.add_route(
        "/api/v1/users/email-change/cancel",
        EmailChangeCancellation(
            cancel=injector.get(CancelEmailChangeHandler), max_body_bytes=body_limit
        ),
    )
    app.add_route(
        "/api/v1/users/verify-email/resend",
        EmailVerificationResend(resend=injector.get(ResendVerificationHandler)),
    )
    app.add_route(
        "/api/v1/password/forgot",
        PasswordForgot(
            request_reset=injector.get(RequestPasswordResetHandler), max_body_bytes=body_limit
        ),
    )
    app.add_route(
        "/api/v1/password/reset",
        PasswordResetResource(reset=injector.get(ResetPasswordHandler), max_body_bytes=body_limit),
    )
    app.add_route(
        "/api/v1/token/access",
        AccessToken(issue=injector.get(IssueAccessTokenHandler), max_body_bytes=body_limit),
    )
    app.add_route(
        "/api/v1/token/mfa",
        SecondStepToken(complete=injector.get(CompleteSignInHandler), max_body_bytes=body_limit),
    )
    app.add_route(
        "/api/v1/token/refresh",
        TokenRefresh(refresh=injector.get(RefreshAccessTokenHandler), max_body_bytes=body_limit),
    )
    app.add_route(
        "/api/v1/token/revoke",
        TokenRevocation(revoke=injector.get(RevokeRefreshTokenHandler), max_body_bytes=body_limit),
    )
    add_second_factor_routes(app, injector, body_limit)
    _add_session_routes(app, injector)
    app.add_route(
        "/api/v1/token/oidc",
        ProviderToken(
            providers=injector.get(IdentityProviders),  # type: ignore[type-abstract]
            sign_in=injector.get(SignInWithIdentityHandler),
            max_body_bytes=body_limit,
        ),
    )
    add_admin_routes(app, injector)
    app.add_route("/.well-known/jwks.json", Jwks(tokens))
    app.add_route("/healthz", Health())
    app.add_route("/readyz", Ready(injector.get(Readiness)))
    app.add_route("/docs", docs.swagger_page())
    app.add_route("/redoc", docs.redoc_page())
    app.add_static_route("/docs/static", str(docs.SWAGGER_STATIC))
    app.add_static_route("/redoc/static", str(docs.REDOC_STATIC))
    events = build_asyncapi(settings.public_events_topic, settings.kafka_bootstrap_servers)
    app.add_route("/asyncapi", docs.AsyncApi(events))
    add_pages(app, settings, injector)
    # Last: the document is walked from the routes added above.
    app.add_route("/openapi.json", docs.OpenApi(build_spec(app)))
    return app
