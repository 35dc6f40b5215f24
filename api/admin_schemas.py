"""Request and response shapes of the administrators' API (/api/v1/admin/)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from api.schemas import SecurityEvent, User
from core.admin.search_users import MAX_PAGE
from core.domain import EMAIL_MAX_LENGTH, USER_STATUSES

_status = fields.String(
    required=True,
    metadata={
        "enum": list(USER_STATUSES),
        "description": "disabled (by an administrator: no sign-in), rejected (the address "
        "failed the reputation check: sign-in blocked until it changes), unconfirmed (the "
        "address was never confirmed), or active; the first that holds.",
    },
)


class AdminUserSearch(Schema):
    """Query parameters of the list; others are ignored."""

    class Meta:
        unknown = EXCLUDE

    q = fields.String(
        validate=[
            validate.Length(max=EMAIL_MAX_LENGTH),
            validate.Regexp(r"^[^\x00-\x1f\x7f]*$", error="Must not contain control characters."),
        ],
        metadata={"description": "The start of the username or the email, in any case."},
    )
    status = fields.String(validate=validate.OneOf(USER_STATUSES))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, MAX_PAGE))
    cursor = fields.String(
        validate=validate.Length(1, 512),
        metadata={"description": "`next_cursor` of the page before; opaque."},
    )


class AdminUser(User):
    """An account as administrators see it: the owner's profile, status and roles."""

    status = _status
    roles = fields.List(fields.String(), required=True)
    disabled_at = fields.AwareDateTime(required=True, allow_none=True)


class AdminUserPage(Schema):
    items = fields.List(fields.Nested(AdminUser), required=True)
    next_cursor = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Pass as `cursor` for the next page; null on the last."},
    )


class SecondFactor(Schema):
    enabled = fields.Boolean(required=True)
    methods = fields.List(fields.String(), required=True)


class AdminUserDetails(AdminUser):
    second_factor = fields.Nested(SecondFactor, required=True)
    recent_security_events = fields.List(
        fields.Nested(SecurityEvent),
        required=True,
        metadata={"description": "The newest entries of the account's audit trail, first."},
    )
