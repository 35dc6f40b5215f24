"""Response shapes of the caller's sessions."""

from __future__ import annotations

from marshmallow import Schema, fields


class Session(Schema):
    id = fields.UUID(
        required=True,
        metadata={"description": "The session's id: access tokens of it carry it as `sid`."},
    )
    created_at = fields.AwareDateTime(required=True, metadata={"description": "The sign-in."})
    last_used_at = fields.AwareDateTime(
        required=True,
        metadata={"description": "Its last refresh or page view, to the minute."},
    )
    ip = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The address it signed in from."},
    )
    device = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The device it signed in on, read from its User-Agent."},
    )
    amr = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "How it signed in (RFC 8176): pwd, pwd and otp, pwd and rcv, or ext "
            "(through a provider)."
        },
    )
    provider = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "With amr ext: the provider it signed in through."},
    )
    current = fields.Boolean(
        required=True, metadata={"description": "Whether this is the session of the request."}
    )


class SessionList(Schema):
    items = fields.List(fields.Nested(Session), required=True)
