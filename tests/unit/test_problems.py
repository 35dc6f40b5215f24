"""Every domain error core can raise has an HTTP status, and one that has none still leaves as
problem+json with the request id."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import falcon.asgi
import falcon.testing
import pytest

import core
from api import problems
from api.middleware import RequestContext
from api.problems import STATUS_OF
from core.domain import DomainError


def subclasses(cls: type[DomainError]) -> Iterator[type[DomainError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def core_domain_errors() -> list[type[DomainError]]:
    # Import every module of core first, so that no error defined beside a port or a use case
    # escapes the walk.
    for module in pkgutil.walk_packages(core.__path__, prefix="core."):
        importlib.import_module(module.name)
    return sorted(
        {cls for cls in subclasses(DomainError) if cls.__module__.startswith("core.")},
        key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
    )


def test_the_walk_finds_errors_of_every_kind() -> None:
    names = {cls.__name__ for cls in core_domain_errors()}
    assert {"Conflict", "EmailCheckUnavailable", "MailServerUnavailable"} <= names


@pytest.mark.parametrize("error", core_domain_errors(), ids=lambda cls: cls.__qualname__)
def test_every_domain_error_has_a_status(error: type[DomainError]) -> None:
    assert any(cls in STATUS_OF for cls in error.__mro__), (
        f"{error.__module__}.{error.__qualname__} has no row in api.problems.STATUS_OF"
    )


class Unmapped(DomainError):
    """A domain error someone forgot to give a row."""


class Raises:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        raise Unmapped("internal detail the client must not see")


async def test_an_unmapped_domain_error_is_a_500_problem_with_the_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = falcon.asgi.App(middleware=[RequestContext(r"^[a-z0-9-]{1,64}$")])
    problems.install(app)
    app.add_route("/boom", Raises())
    async with falcon.testing.ASGIConductor(app) as client:
        resp = await client.simulate_get("/boom", headers={"X-Request-ID": "req-42"})
    assert resp.status_code == 500
    assert resp.headers["content-type"] == problems.PROBLEM_JSON
    assert resp.json["request_id"] == "req-42"
    assert resp.json["detail"] == problems.SERVER_FAULT
    logged = [r for r in caplog.records if r.name == "api.errors"]
    assert [getattr(r, "error_class", None) for r in logged] == ["Unmapped"]
