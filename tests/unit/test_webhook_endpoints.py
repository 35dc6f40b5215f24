"""Administrators' webhook endpoints in core, on fakes: what registering, changing and deleting
one records (the audit trail, the public topic), and the rules they follow."""

from __future__ import annotations

import json
import uuid

import pytest

from core.domain import InvalidInput, NotFound, User
from core.domain.webhooks import DEACTIVATED
from core.webhooks.change_endpoint import (
    ChangeEndpoint,
    ChangeEndpointHandler,
    RotateSecret,
    RotateSecretHandler,
)
from core.webhooks.delete_endpoint import DeleteEndpoint, DeleteEndpointHandler
from core.webhooks.deliver import DeliverWebhook
from core.webhooks.list_endpoints import (
    GetEndpoint,
    GetEndpointHandler,
    ListDeliveries,
    ListDeliveriesHandler,
)
from core.webhooks.signing import signature
from tests.unit.conftest import START
from tests.unit.webhook_steps import OTHER, URL, Hooks


async def test_registering_records_the_administrators_action_and_never_the_secret(
    hooks: Hooks, alice: User
) -> None:
    created = await hooks.create(types=("user.created", "user.deleted", "user.created"))
    endpoint = created.endpoint
    assert created.secret.startswith("whsec_")
    assert endpoint.event_types == ("user.created", "user.deleted")
    assert endpoint.active
    assert endpoint.created_by == alice.id
    assert hooks.uow.store.webhook_endpoints == {endpoint.id: endpoint}

    ((kind, details),) = hooks.audit()
    assert kind == "admin.webhook_created"
    assert hooks.uow.store.audit[0].user_id == alice.id, "the administrator's own trail"
    assert details == {
        "via": "api",
        "admin_id": str(alice.id),
        "webhook_id": str(endpoint.id),
        "host": "hooks.example.com",
        "event_types": ["user.created", "user.deleted"],
        "active": True,
    }
    (event,) = hooks.published()
    assert event["type"] == "admin.webhook_created"
    assert event["user_id"] == str(alice.id)
    assert (event["webhook_id"], event["host"]) == (str(endpoint.id), "hooks.example.com")
    told = json.dumps([details, event])
    assert created.secret not in told
    assert "receivers-own" not in told, "the URL's token stays out of the audit and the topic"


@pytest.mark.parametrize(
    ("url", "types", "field"),
    [
        (URL, ("user.created", "user.renamed"), "event_types"),
        (URL, (), "event_types"),
        ("http://hooks.example.com/in", ("user.created",), "url"),
        ("https://10.0.0.1/in", ("user.created",), "url"),
        ("https://nowhere.example/in", ("user.created",), "url"),
    ],
)
async def test_bad_input_registers_nothing(
    hooks: Hooks, url: str, types: tuple[str, ...], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await hooks.create(url, types)
    assert field in refused.value.errors
    assert hooks.uow.store.webhook_endpoints == {}
    assert hooks.audit() == []
    assert hooks.published() == []


async def test_a_change_names_what_changed_and_no_change_records_nothing(hooks: Hooks) -> None:
    endpoint = (await hooks.create()).endpoint
    change = hooks.injector.get(ChangeEndpointHandler)

    changed = await change(ChangeEndpoint(hooks.admin, endpoint.id, url=OTHER, active=False))
    assert (changed.url, changed.active, changed.deactivated_reason) == (OTHER, False, DEACTIVATED)
    await change(ChangeEndpoint(hooks.admin, endpoint.id, url=OTHER, event_types=("user.created",)))
    on = await change(ChangeEndpoint(hooks.admin, endpoint.id, active=True))
    assert (on.active, on.deactivated_at, on.deactivated_reason) == (True, None, None)

    kinds = [(kind, details.get("changed")) for kind, details in hooks.audit()]
    assert kinds == [
        ("admin.webhook_created", None),
        ("admin.webhook_changed", ["url", "active"]),
        ("admin.webhook_changed", ["active"]),
    ]
    assert [e["type"] for e in hooks.published()] == [kind for kind, _ in kinds]
    with pytest.raises(InvalidInput):
        await change(ChangeEndpoint(hooks.admin, endpoint.id))
    with pytest.raises(InvalidInput):
        await change(ChangeEndpoint(hooks.admin, endpoint.id, url="https://127.0.0.1/"))
    with pytest.raises(NotFound):
        await change(ChangeEndpoint(hooks.admin, uuid.uuid4(), active=False))


async def test_a_new_secret_signs_from_then_on(hooks: Hooks) -> None:
    created = await hooks.create()
    _, secret = await hooks.injector.get(RotateSecretHandler)(
        RotateSecret(hooks.admin, created.endpoint.id)
    )
    assert secret != created.secret
    event = await hooks.event()
    await hooks.deliver()(DeliverWebhook(hooks.queue.queued[0][0]))
    ((_, headers, body),) = hooks.sender.sent
    assert headers["webhook-signature"] == signature(
        secret, str(event.event_id), int(START.timestamp()), body
    )
    assert hooks.audit()[-1][1]["changed"] == ["secret"]
    assert secret not in json.dumps(hooks.audit())
    assert secret not in json.dumps(hooks.published())


async def test_deleting_an_endpoint_takes_its_deliveries(hooks: Hooks) -> None:
    endpoint = (await hooks.create()).endpoint
    await hooks.event()
    await hooks.injector.get(DeleteEndpointHandler)(DeleteEndpoint(hooks.admin, endpoint.id))
    assert hooks.audit()[-1][0] == "admin.webhook_deleted"
    assert hooks.published()[-1]["type"] == "admin.webhook_deleted"
    assert hooks.deliveries.rows == {}
    with pytest.raises(NotFound):
        await hooks.injector.get(GetEndpointHandler)(GetEndpoint(hooks.admin, endpoint.id))
    with pytest.raises(NotFound):
        await hooks.injector.get(ListDeliveriesHandler)(ListDeliveries(hooks.admin, endpoint.id))
    # Its message, still queued, finds nothing to send.
    assert await hooks.deliver()(DeliverWebhook(hooks.queue.queued[0][0])) is None
    assert hooks.sender.sent == []
