"""Request and response shapes of the administrators' webhook API (/api/v1/admin/webhooks)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.schemas import SecurityEventPage, SecurityEventQuery
from core.domain.webhooks import DELIVERY_STATUSES
from core.public_events import PUBLIC_EVENT_TYPES
from core.webhooks.list_endpoints import DEFAULT_PAGE, MAX_PAGE
from core.webhooks.rules import MAX_EVENT_TYPES, MAX_URL_LENGTH


def _url(required: bool = False) -> fields.String:
    return fields.String(
        required=required,
        validate=validate.Length(1, MAX_URL_LENGTH),
        metadata={
            "format": "uri",
            "description": "Where the events are POSTed: an https:// URL (http:// only where "
            "the service allows it), without credentials, whose host resolves to public "
            "addresses only.",
        },
    )


def _event_types(required: bool = False) -> fields.List[str]:
    event_type = fields.String(
        validate=validate.Length(1, 64), metadata={"enum": list(PUBLIC_EVENT_TYPES)}
    )
    return fields.List(
        event_type,
        required=required,
        validate=validate.Length(1, MAX_EVENT_TYPES),
        metadata={
            "description": "The types of the account events to send (those of "
            "accounts.events.v1, see /asyncapi); a type given twice counts once.",
        },
    )


class WebhookCreate(Schema):
    url = _url(required=True)
    event_types = _event_types(required=True)
    active = fields.Boolean(
        load_default=True, metadata={"description": "false: registered, but sent nothing yet."}
    )


class WebhookUpdate(Schema):
    """At least one field."""

    url = _url()
    event_types = _event_types()
    active = fields.Boolean(
        metadata={
            "description": "false stops deliveries; true starts them again (an endpoint "
            "turned off by a 410 too), with the events that occur from then on."
        }
    )

    @validates_schema
    def _one_at_least(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("Give at least one of url, event_types, active.")


class WebhookEndpoint(Schema):
    id = fields.UUID(required=True)
    url = fields.String(required=True)
    event_types = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    created_by = fields.UUID(
        required=True,
        allow_none=True,
        metadata={"description": "The administrator who registered it."},
    )
    deactivated_at = fields.AwareDateTime(required=True, allow_none=True)
    deactivated_reason = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "Why it is inactive: the receiver answered 410, or an "
            "administrator turned it off."
        },
    )


class WebhookEndpointWithSecret(WebhookEndpoint):
    secret = fields.String(
        required=True,
        metadata={
            "description": "The signing secret (`whsec_` and base64), shown this once: keep "
            "it with the receiver. See the README's Webhooks section for the signature."
        },
    )


class WebhookEndpointList(Schema):
    items = fields.List(fields.Nested(WebhookEndpoint), required=True)


class WebhookDeliveryQuery(SecurityEventQuery):
    """The query string of the delivery log (other parameters are ignored): paged as the audit
    trail is."""

    limit = fields.Integer(
        load_default=DEFAULT_PAGE,
        validate=validate.Range(1, MAX_PAGE),
        metadata={"description": f"Deliveries per page, 1-{MAX_PAGE} (default {DEFAULT_PAGE})."},
    )


class WebhookDelivery(Schema):
    id = fields.UUID(required=True)
    event_id = fields.UUID(
        required=True, metadata={"description": "Sent as `webhook-id` on every attempt."}
    )
    event_type = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(DELIVERY_STATUSES)})
    attempts = fields.Integer(required=True)
    last_status = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The HTTP status of the last answer (null: none came)."},
    )
    last_error = fields.String(required=True, allow_none=True)
    next_attempt_at = fields.AwareDateTime(required=True, allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    delivered_at = fields.AwareDateTime(required=True, allow_none=True)


class WebhookDeliveryPage(SecurityEventPage):
    items = fields.List(fields.Nested(WebhookDelivery), required=True)
