"""The OpenAPI 3.1 document, walked from the routes the app serves.

Each resource declares its operations beside its responders, in a class attribute `openapi` keyed
by lower-case HTTP method; request and response shapes are the marshmallow schemas of `api.schemas`.
The rule for what the document covers: a routed resource either declares `openapi` (it is part of
the API contract) or says `openapi = None` (pages, the document itself: served, but not a contract
for clients); a resource that says neither, or whose declared methods are not the ones it
responds to, stops the build. Static routes (/docs/static) serve files, not operations, and are
never walked.

Regenerate the committed copy with `.venv/bin/python -m api.openapi > docs/openapi.json`.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from typing import Any

import falcon
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from falcon.routing.compiled import CompiledRouterNode
from marshmallow import Schema

from api import mfa_schemas, passkey_schemas, schemas

REGENERATE = ".venv/bin/python -m api.openapi > docs/openapi.json"

Operation = dict[str, Any]
Operations = dict[str, Operation]
"""An OpenAPI operation object per lower-case HTTP method."""


def problem(description: str) -> dict[str, Any]:
    """A response carrying application/problem+json."""
    content = {"application/problem+json": {"schema": schemas.Problem}}
    return {"description": description, "content": content}


def json_response(description: str, schema: type[Schema]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def json_body(schema: type[Schema], *, form: bool | type[Schema] = False) -> dict[str, Any]:
    """A required request body: JSON, or also an urlencoded form of the same fields (or of
    the fields of the schema `form` names, for a body whose JSON nests what a form cannot)."""
    content = {"application/json": {"schema": schema}}
    if form:
        form_schema = schema if form is True else form
        content["application/x-www-form-urlencoded"] = {"schema": form_schema}
    return {"required": True, "content": content}


BODY_PROBLEMS = {
    "400": problem("Malformed body"),
    "413": problem("Body too large"),
    "415": problem("Unsupported media type"),
    "422": problem("Invalid fields"),
}
"""What any responder that reads a body can answer."""

_RATE_HEADERS = {
    name: {"description": description, "schema": {"type": "integer"}}
    for name, description in (
        ("Retry-After", "Seconds to wait"),
        ("RateLimit-Limit", "Requests allowed in the window"),
        ("RateLimit-Remaining", "Requests left in the window"),
        ("RateLimit-Reset", "Seconds until a slot frees"),
    )
}

# Every /api/v1 operation is rate limited and needs the database.
_API_V1_RESPONSES = {
    "429": {
        **problem("Too many requests (per address, per user, or failed logins)"),
        "headers": _RATE_HEADERS,
    },
    "503": {
        **problem("A service the request needs is unavailable"),
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
}
# The Authentication middleware checks a bearer token for the methods in `auth_required`.
_BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
_UNAUTHENTICATED = problem("Missing, invalid or expired token")

# Falcon's field expressions: {name} or {name:converter(args)}; OpenAPI spells them {name}.
_FIELD = re.compile(r"\{(\w+)(?::(\w+)[^}]*)?\}")
_CONVERTED = {
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "uuid": {"type": "string", "format": "uuid"},
}


def openapi_path(uri_template: str) -> str:
    return _FIELD.sub(r"{\1}", uri_template)


def _path_parameters(uri_template: str) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": _CONVERTED.get(kind, {"type": "string"}),
        }
        for name, kind in _FIELD.findall(uri_template)
    ]


_UNDECLARED: Any = object()


def _routes(nodes: list[CompiledRouterNode]) -> Iterator[CompiledRouterNode]:
    """The nodes that hold a resource, in the order the routes were added (depth first)."""
    for node in nodes:
        if node.resource is not None:
            yield node
        yield from _routes(node.children)


def _operations(node: CompiledRouterNode) -> Operations | None:
    resource, template = node.resource, str(node.uri_template)
    name = type(resource).__name__
    declared: Operations | None = getattr(resource, "openapi", _UNDECLARED)
    if declared is _UNDECLARED:
        raise LookupError(
            f"{name} at {template} declares no `openapi`: declare its operations, "
            "or `openapi = None` if the route is not part of the API contract"
        )
    if declared is None:
        return None
    # The responders Falcon routes to; its defaults (405, OPTIONS) are not bound to the resource.
    served = {
        method.lower()
        for method, responder in (node.method_map or {}).items()
        if getattr(responder, "__self__", None) is resource
    }
    if served != declared.keys():
        raise LookupError(
            f"{name} at {template} serves {sorted(served)} but declares {sorted(declared)}"
        )
    operations = {}
    for method, operation in declared.items():
        responses = dict(operation["responses"])
        extra: Operation = {}
        if method.upper() in getattr(resource, "auth_required", ()):
            extra["security"] = _BEARER
            responses.setdefault("401", _UNAUTHENTICATED)
        if template.startswith("/api/v1/"):
            for status, response in _API_V1_RESPONSES.items():
                responses.setdefault(status, response)
        operations[method] = {**operation, **extra, "responses": responses}
    return operations


def _schemas_with_rules() -> list[Any]:
    found = {
        value
        for module in (schemas, mfa_schemas, passkey_schemas)
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Schema)
        and "json_schema_rules" in vars(value)
    }
    return sorted(found, key=lambda schema: schema.__name__)


def build_spec(app: falcon.App[Any, Any]) -> dict[str, Any]:
    """The document of every route `app` has when called, but those outside the contract."""
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
    # Rules marshmallow checks in code (validates_schema), stated for clients in JSON Schema by
    # the schema class itself (`json_schema_rules`); lazy: listed only if an operation refers
    # to the schema.
    for schema in _schemas_with_rules():
        spec.components.schema(schema.__name__, schema.json_schema_rules, schema=schema, lazy=True)
    # Falcon's own inspector (falcon.inspect) walks the same tree, but names no resources.
    for node in _routes(app._router._roots):
        operations = _operations(node)
        if operations is not None:
            template = str(node.uri_template)
            spec.path(
                path=openapi_path(template),
                operations=operations,
                parameters=_path_parameters(template),
            )
    return spec.to_dict()


def render(document: dict[str, Any]) -> str:
    """The text of docs/openapi.json."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    """Print the document of the app as `create_app` wires it. No service is contacted: building
    the app only constructs clients; a throwaway key stands in for the signing keys."""
    import asyncio
    import dataclasses
    import tempfile
    from pathlib import Path

    from adapters.bootstrap.web import web_injector

    # Imported here, not above: api.app imports this module.
    from adapters.key_files import ensure_key_file
    from adapters.lifecycle import Lifecycle
    from adapters.settings import Settings
    from adapters.tokens import new_key_pem
    from api.app import create_app

    with tempfile.TemporaryDirectory() as keys:
        (Path(keys) / "20260101T000000Z.pem").write_bytes(new_key_pem())
        ensure_key_file(Path(keys) / "action-tokens.key")
        ensure_key_file(Path(keys) / "csrf.key")
        ensure_key_file(Path(keys) / "totp.key")
        ensure_key_file(Path(keys) / "webhooks.key")
        settings = dataclasses.replace(
            Settings.from_env(read_dotenv=False),
            jwt_key_dir=Path(keys),
            action_token_key_file=Path(keys) / "action-tokens.key",
            csrf_key_file=Path(keys) / "csrf.key",
            totp_key_file=Path(keys) / "totp.key",
            webhook_key_file=Path(keys) / "webhooks.key",
        )
        injector = web_injector(settings)
        sys.stdout.write(render(build_spec(create_app(settings, injector))))
        asyncio.run(injector.get(Lifecycle).close())


if __name__ == "__main__":
    main()
