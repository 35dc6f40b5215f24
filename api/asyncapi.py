"""The AsyncAPI 3.0 document of the public topic: the account events other services consume.

Declared as a FastStream publisher whose schema is the union of core's event classes
(core/public_events.py), one message schema per event type, told apart by `type`. The relay
publishes them (adapters/relay.py); this only describes them. The web process serves the
document at /asyncapi; the committed copy is docs/asyncapi.json.

Regenerate the committed copy with `.venv/bin/python -m api.asyncapi > docs/asyncapi.json`.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from core.public_events import AccountEvent

REGENERATE = ".venv/bin/python -m api.asyncapi > docs/asyncapi.json"

_DESCRIPTION = (
    "Account events, for the company's other services. Each message is JSON, keyed by the "
    "user id (so one user's events are in one partition, in the order they happened), with "
    "the headers `event_id` and `type`. An event may arrive twice (after a relay restart): "
    "`event_id` tells. Version 1: fields are only ever added; anything else gets a new topic. "
    "No message holds a secret (no password, token or token id)."
)


def build_asyncapi(topic: str, bootstrap_servers: str) -> dict[str, Any]:
    """The document of `topic` on the Kafka cluster at `bootstrap_servers` (contacts nothing)."""
    broker = KafkaBroker(bootstrap_servers)
    broker.publisher(
        topic,
        title=topic,
        description=_DESCRIPTION,
        schema=AccountEvent,
    )
    document = AsyncAPI(
        broker,
        title="Accounts events",
        version="1.0.0",
        description="What the accounts service tells other services about accounts.",
    )
    spec: dict[str, Any] = document.to_specification().to_jsonable()
    for message in spec["components"]["messages"].values():
        # FastStream's own publishers send a correlation_id header; the relay sends event_id.
        message.pop("correlationId", None)
        # One schema per event type, told apart by the `type` each of them fixes: exactly one
        # of them matches a message.
        name = message["payload"]["$ref"].removeprefix("#/components/schemas/")
        payload = spec["components"]["schemas"][name]
        payload["oneOf"] = payload.pop("anyOf")
        payload["discriminator"] = "type"
    return spec


def render(document: dict[str, Any]) -> str:
    """The text of docs/asyncapi.json."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    from adapters.settings import Settings

    settings = Settings.from_env(read_dotenv=False)
    document = build_asyncapi(settings.public_events_topic, settings.kafka_bootstrap_servers)
    sys.stdout.write(render(document))


if __name__ == "__main__":
    main()
