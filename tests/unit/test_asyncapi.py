"""The AsyncAPI document of the public topic against core's event classes, the document the web
process serves, and the committed copy."""

from __future__ import annotations

import dataclasses
import typing
import uuid
from datetime import UTC, datetime
from typing import Any

import falcon.asgi
import httpx
import jsonschema_rs
import pytest

from adapters.settings import Settings
from api.asyncapi import REGENERATE, build_asyncapi, render
from core.domain import User
from core.domain.webhooks import WebhookEndpoint
from core.public_events import (
    ACCOUNT_EVENT_CLASSES,
    AccountEvent,
    admin_action,
    changes,
    email_confirmed,
    session_ended,
    to_json,
    user_created,
    user_deleted,
    webhook_event,
)
from tests.conftest import ROOT

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
ALICE = User.register(username="alice", email="alice@example.com", password_hash="h", now=T0)
HOOK = WebhookEndpoint(
    id=uuid.UUID(int=5),
    url="https://hooks.example.com/in?token=abc",
    event_types=("user.created",),
    active=True,
    sealed_secret=b"sealed",
    created_at=T0,
    updated_at=T0,
)


@pytest.fixture(scope="module")
async def served(app: falcon.asgi.App[Any, Any]) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/asyncapi")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()  # type: ignore[no-any-return]


def _type_of(cls: type) -> str:
    """The `type` a class of event stands for (its Literal)."""
    return str(typing.get_args(typing.get_type_hints(cls)["type"])[0])


def _one_of_each() -> list[AccountEvent]:
    moved = dataclasses.replace(
        ALICE, username="alice2", email="alice@example.org", password_hash="h2"
    )
    return [
        user_created(ALICE),
        *changes(ALICE, moved, T0),  # user.updated and user.password_changed
        email_confirmed(ALICE.id, "alice@example.org", T0),
        user_deleted(ALICE.id, T0),
        session_ended(ALICE.id, uuid.UUID(int=9), T0),
        webhook_event(ALICE.id, HOOK, T0, None),
        webhook_event(ALICE.id, HOOK, T0, ["url", "secret"]),
        webhook_event(ALICE.id, HOOK, T0, None, deleted=True),
        admin_action("admin.user_disabled", ALICE.id, uuid.UUID(int=7), T0),
        admin_action("admin.user_enabled", ALICE.id, uuid.UUID(int=7), T0),
        admin_action("admin.sessions_ended", ALICE.id, None, T0),
        admin_action("admin.password_reset_mailed", ALICE.id, uuid.UUID(int=7), T0),
        admin_action("admin.user_deleted", ALICE.id, None, T0),
        admin_action("admin.role_changed", ALICE.id, None, T0, role="admin", granted=True),
    ]


def test_the_served_document_is_the_committed_one(
    served: dict[str, Any], settings: Settings
) -> None:
    assert served == build_asyncapi(settings.public_events_topic, settings.kafka_bootstrap_servers)
    committed = ROOT / "docs" / "asyncapi.json"
    assert committed.exists(), f"docs/asyncapi.json is missing; create it with `{REGENERATE}`"
    assert committed.read_text() == render(served), (
        f"docs/asyncapi.json is out of date; regenerate it with `{REGENERATE}`"
    )


def test_each_event_type_has_its_schema_and_every_event_matches_it(
    served: dict[str, Any],
) -> None:
    (channel,) = served["channels"].values()
    assert channel["address"] == "accounts.events.v1"
    schemas = served["components"]["schemas"]
    schema_of = {
        schema["properties"]["type"]["const"]: schema
        for schema in schemas.values()
        if "type" in schema.get("properties", {})
    }
    assert sorted(schema_of) == sorted(_type_of(c) for c in ACCOUNT_EVENT_CLASSES)
    (message,) = served["components"]["messages"].values()
    # The message's payload schema, its references resolved in the document's components.
    validator = jsonschema_rs.validator_for(
        {"$ref": message["payload"]["$ref"], "components": served["components"]}
    )
    events = _one_of_each()
    assert sorted(e.type for e in events) == sorted(schema_of)
    for event in events:
        sent = to_json(event)
        errors = [str(error) for error in validator.iter_errors(sent)]
        assert not errors, (event.type, errors)
        assert set(sent) == set(schema_of[event.type]["required"]), event.type


def test_no_message_holds_a_secret(served: dict[str, Any]) -> None:
    fields = {
        name
        for schema in served["components"]["schemas"].values()
        for name in schema.get("properties", {})
    }
    # `sid` names a session (access tokens carry it too); it opens nothing. A webhook endpoint
    # is named by its id and host: neither its URL (a receiver's token may be in it) nor its
    # signing secret. An administrator's action names the administrator's account, or none for
    # an operator at the command line.
    assert fields == {
        "admin_id",
        "via",
        "role",
        "granted",
        "event_id",
        "occurred_at",
        "user_id",
        "type",
        "username",
        "email",
        "changed",
        "sid",
        "webhook_id",
        "host",
        "event_types",
        "active",
    }


def test_a_new_name_or_address_and_a_new_password_are_told_apart() -> None:
    (renamed,) = changes(ALICE, dataclasses.replace(ALICE, username="bob"), T0)
    assert to_json(renamed)["changed"] == ["username"]
    assert to_json(renamed)["username"] == "bob"
    rehashed = dataclasses.replace(ALICE, password_hash="other")
    assert [e.type for e in changes(ALICE, rehashed, T0)] == ["user.password_changed"]
    pending = dataclasses.replace(ALICE, pending_email="new@example.com")
    assert changes(ALICE, pending, T0) == [], "a pending address is no change yet"
    deleted = user_deleted(uuid.UUID(int=7), T0)
    assert to_json(deleted) == {
        "type": "user.deleted",
        "event_id": str(deleted.event_id),
        "occurred_at": "2026-01-01T12:00:00+00:00",
        "user_id": "00000000-0000-0000-0000-000000000007",
    }
