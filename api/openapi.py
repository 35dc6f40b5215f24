"""The OpenAPI 3.1 document, generated from the marshmallow schemas."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from api import schemas

PROBLEM = {"application/problem+json": {"schema": "Problem"}}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": PROBLEM}


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _json_or_form(schema: str) -> dict[str, Any]:
    return {
        "application/json": {"schema": schema},
        "application/x-www-form-urlencoded": {"schema": schema},
    }


_COMMON = {
    "400": _problem("Malformed body"),
    "413": _problem("Body too large"),
    "415": _problem("Unsupported media type"),
    "422": _problem("Invalid fields"),
}
_AUTH = {"401": _problem("Missing, invalid or expired token")}
_BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def build_spec() -> dict[str, Any]:
    spec = APISpec(
        title="Accounts API",
        version="1.0.0",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "User registration, login with JWT, and the caller's own profile. "
            "Errors are application/problem+json (RFC 9457)."
        },
    )
    spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    for name in (
        "UserCreate",
        "UserUpdate",
        "UserDelete",
        "User",
        "TokenRequest",
        "RefreshRequest",
        "RevokeRequest",
        "Token",
        "EmailConfirmation",
        "PasswordForgotten",
        "PasswordReset",
        "Problem",
    ):
        spec.components.schema(name, schema=getattr(schemas, name))

    spec.path(
        path="/api/v1/users",
        operations={
            "post": {
                "tags": ["users"],
                "summary": "Register",
                "operationId": "registerUser",
                "requestBody": {"required": True, "content": _json("UserCreate")},
                "responses": {
                    "201": {"description": "Created", "content": _json("User")},
                    "409": _problem("Username or email already registered"),
                    **_COMMON,
                },
            },
            "get": {
                "tags": ["users"],
                "summary": "Own profile",
                "operationId": "getProfile",
                "security": _BEARER,
                "responses": {"200": {"description": "OK", "content": _json("User")}, **_AUTH},
            },
            "patch": {
                "tags": ["users"],
                "summary": "Update own profile",
                "description": "A new password needs `current_password`.\n"
                "A new email is unverified.",
                "operationId": "updateProfile",
                "security": _BEARER,
                "requestBody": {"required": True, "content": _json("UserUpdate")},
                "responses": {
                    "200": {"description": "Updated", "content": _json("User")},
                    "403": _problem("Current password is wrong"),
                    "409": _problem("Username or email already registered"),
                    **_COMMON,
                    **_AUTH,
                },
            },
            "delete": {
                "tags": ["users"],
                "summary": "Delete own account",
                "operationId": "deleteAccount",
                "security": _BEARER,
                "requestBody": {"required": True, "content": _json("UserDelete")},
                "responses": {
                    "204": {"description": "Deleted"},
                    "403": _problem("Password is wrong"),
                    **_COMMON,
                    **_AUTH,
                },
            },
        },
    )
    spec.path(
        path="/api/v1/users/verify-email",
        operations={
            "post": {
                "tags": ["users"],
                "summary": "Confirm the email address with the token mailed to it",
                "description": "The token works once, for 24 hours, and only while the account "
                "still has the address it was mailed to.",
                "operationId": "verifyEmail",
                "requestBody": {"required": True, "content": _json("EmailConfirmation")},
                "responses": {
                    "204": {"description": "The address is verified"},
                    **_COMMON,
                    "400": _problem(
                        "Malformed body, or the token is invalid, expired or already used"
                    ),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/users/verify-email/resend",
        operations={
            "post": {
                "tags": ["users"],
                "summary": "Mail a fresh confirmation token to the own address",
                "description": "Tokens mailed before stop working. At most a few per hour.",
                "operationId": "resendVerification",
                "security": _BEARER,
                "responses": {
                    "202": {"description": "A confirmation mail is on its way"},
                    "409": _problem("The address is already verified"),
                    **_AUTH,
                },
            }
        },
    )
    spec.path(
        path="/api/v1/password/forgot",
        operations={
            "post": {
                "tags": ["password"],
                "summary": "Mail a password reset token",
                "description": "Always 202, whether or not an account has this address; if one "
                "has, a token valid for 30 minutes is mailed to it.",
                "operationId": "forgotPassword",
                "requestBody": {"required": True, "content": _json("PasswordForgotten")},
                "responses": {
                    "202": {"description": "Accepted"},
                    **_COMMON,
                },
            }
        },
    )
    spec.path(
        path="/api/v1/password/reset",
        operations={
            "post": {
                "tags": ["password"],
                "summary": "Set a new password with a mailed reset token",
                "description": "Ends every session: refresh tokens are revoked and access "
                "tokens issued before are refused.",
                "operationId": "resetPassword",
                "requestBody": {"required": True, "content": _json("PasswordReset")},
                "responses": {
                    "204": {"description": "The password is changed"},
                    **_COMMON,
                    "400": _problem(
                        "Malformed body, or the token is invalid, expired or already used"
                    ),
                },
            }
        },
    )
    spec.path(
        path="/api/v1/token/access",
        operations={
            "post": {
                "tags": ["tokens"],
                "summary": "Log in: password for an access token and a refresh token",
                "operationId": "issueAccessToken",
                "requestBody": {"required": True, "content": _json_or_form("TokenRequest")},
                "responses": {
                    "200": {"description": "Tokens", "content": _json("Token")},
                    "401": _problem("Wrong username or password"),
                    "403": _problem("Sign-in blocked: the email address was rejected"),
                    **_COMMON,
                },
            }
        },
    )
    spec.path(
        path="/api/v1/token/refresh",
        operations={
            "post": {
                "tags": ["tokens"],
                "summary": "Refresh token for a new access token and refresh token",
                "description": "The refresh token presented is used up. Presenting a used or "
                "revoked one again revokes every token descended from the same login.",
                "operationId": "refreshAccessToken",
                "requestBody": {"required": True, "content": _json_or_form("RefreshRequest")},
                "responses": {
                    "200": {"description": "Tokens", "content": _json("Token")},
                    "401": _problem("Refresh token unknown, expired, revoked or already used"),
                    "403": _problem("Sign-in blocked: the email address was rejected"),
                    **_COMMON,
                },
            }
        },
    )
    spec.path(
        path="/api/v1/token/revoke",
        operations={
            "post": {
                "tags": ["tokens"],
                "summary": "Log out: revoke a refresh token and every token of its login",
                "description": "Succeeds whether or not the token exists (RFC 7009).",
                "operationId": "revokeRefreshToken",
                "requestBody": {"required": True, "content": _json_or_form("RevokeRequest")},
                "responses": {"200": {"description": "Revoked, or not a live token"}, **_COMMON},
            }
        },
    )
    spec.path(
        path="/.well-known/jwks.json",
        operations={
            "get": {
                "tags": ["tokens"],
                "summary": "Public keys that verify access tokens (JWKS)",
                "operationId": "jwks",
                "responses": {
                    "200": {
                        "description": "JSON Web Key Set",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    )
    spec.path(
        path="/healthz",
        operations={
            "get": {
                "tags": ["operations"],
                "summary": "Liveness",
                "operationId": "healthz",
                "responses": {"200": {"description": "Alive"}},
            }
        },
    )
    spec.path(
        path="/readyz",
        operations={
            "get": {
                "tags": ["operations"],
                "summary": "Readiness of Postgres, Redis, Kafka",
                "operationId": "readyz",
                "responses": {
                    "200": {"description": "Ready"},
                    "503": _problem("A dependency is unreachable"),
                },
            }
        },
    )
    document = spec.to_dict()
    _add_shared_responses(document)
    # Rules marshmallow checks in code (validates_schema), stated for clients in JSON Schema.
    document["components"]["schemas"]["UserUpdate"].update(
        {
            "anyOf": [{"required": [name]} for name in ("username", "email", "password")],
            "dependentRequired": {"password": ["current_password"]},
        }
    )
    return document


_RATE_HEADERS = {
    name: {"description": description, "schema": {"type": "integer"}}
    for name, description in (
        ("RateLimit-Limit", "Requests allowed in the window"),
        ("RateLimit-Remaining", "Requests left in the window"),
        ("RateLimit-Reset", "Seconds until a slot frees"),
    )
}


def _add_shared_responses(document: dict[str, Any]) -> None:
    """Every /api/v1 operation is rate limited and needs the database."""
    # Added after apispec resolved schema names, so the reference is spelled out.
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    limited = {
        "description": "Too many requests (per address, per user, or failed logins)",
        "content": problem,
        "headers": {
            "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}},
            **_RATE_HEADERS,
        },
    }
    unavailable = {
        "description": "A service the request needs is unavailable",
        "content": problem,
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    }
    for path, operations in document["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            operation["responses"].setdefault("429", limited)
            operation["responses"].setdefault("503", unavailable)
