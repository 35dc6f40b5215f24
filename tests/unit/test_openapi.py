"""The OpenAPI document against the routes the app serves, and the committed copy against both.

The app is built by the same `create_app` as in production; building it contacts no service.
"""

from __future__ import annotations

from typing import Any, ClassVar

import falcon.asgi
import httpx
import pytest
from falcon.inspect import inspect_routes

from api.openapi import REGENERATE, Operations, build_spec, openapi_path, render
from tests.conftest import ROOT

# Served by the app but not part of the API contract.
NOT_IN_CONTRACT = {
    "/openapi.json",
    # The AsyncAPI document of the public Kafka topic: events, not HTTP operations.
    "/asyncapi",
    "/docs",
    "/redoc",
    # The pages people use in a browser (api/pages/).
    "/",
    "/signup",
    "/login",
    "/login/code",
    "/login/passkey",
    "/logout",
    "/forgot-password",
    "/reset-password",
    "/verify-email",
    "/cancel-email-change",
    "/account",
    "/account/username",
    "/account/email",
    "/account/password",
    "/account/delete",
    "/account/confirmation",
    "/account/passkeys",
    "/account/passkeys/save",
    "/account/passkeys/remove",
    "/account/two-step",
    "/account/two-step/start",
    "/account/two-step/confirm",
    "/account/two-step/disable",
    "/account/two-step/recovery-codes",
    "/account/two-step/codes.txt",
    "/account/sessions/end",
    "/account/sessions/end-others",
    # Sign-in through a provider, and linking providers (api/pages/provider_*.py).
    "/login/{provider}",
    "/login/{provider}/callback",
    "/account/link",
    "/account/link/{provider}",
    "/account/unlink",
}


@pytest.fixture(scope="module")
async def served(app: falcon.asgi.App[Any, Any]) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/openapi.json")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_the_document_describes_every_route_the_app_serves_and_no_other(
    app: falcon.asgi.App[Any, Any], served: dict[str, Any]
) -> None:
    routed = {
        (openapi_path(route.path), method.method.lower())
        for route in inspect_routes(app)
        if route.path not in NOT_IN_CONTRACT
        for method in route.methods
        if not method.internal
    }
    # A path item holds its operations by method, and the parameters they share (a path's {id}).
    documented = {
        (path, method)
        for path, item in served["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert not routed - documented, f"served but not in the document: {sorted(routed - documented)}"
    assert not documented - routed, f"in the document but not served: {sorted(documented - routed)}"


def test_the_committed_document_is_the_one_the_app_serves(served: dict[str, Any]) -> None:
    committed = ROOT / "docs" / "openapi.json"
    assert committed.exists(), f"docs/openapi.json is missing; create it with `{REGENERATE}`"
    assert committed.read_text() == render(served), (
        f"docs/openapi.json is out of date; regenerate it with `{REGENERATE}`"
    )


class _Thing:
    openapi: ClassVar[Operations] = {
        "get": {"operationId": "getThing", "responses": {"200": {"description": "OK"}}}
    }

    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None: ...


class _Undeclared:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None: ...


class _UndeclaredDelete(_Thing):
    async def on_delete(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None: ...


def test_a_falcon_uri_template_becomes_an_openapi_path_with_its_parameters() -> None:
    app = falcon.asgi.App()
    app.add_route("/things/{thing_id:uuid}/parts/{part}", _Thing())

    document = build_spec(app)

    item = document["paths"]["/things/{thing_id}/parts/{part}"]
    assert item["get"]["operationId"] == "getThing"
    assert item["parameters"] == [
        {
            "name": "thing_id",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "format": "uuid"},
        },
        {"name": "part", "in": "path", "required": True, "schema": {"type": "string"}},
    ]


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        (_Undeclared(), "_Undeclared at /x declares no `openapi`"),
        (
            _UndeclaredDelete(),
            "_UndeclaredDelete at /x serves ['delete', 'get'] but declares ['get']",
        ),
    ],
)
def test_a_route_whose_operations_are_not_declared_stops_the_build(
    resource: object, message: str
) -> None:
    app = falcon.asgi.App()
    app.add_route("/x", resource)

    with pytest.raises(LookupError) as raised:
        build_spec(app)
    assert message in str(raised.value)
