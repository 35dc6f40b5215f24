"""Request and response shapes. The OpenAPI document is generated from these."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from api.passkey_schemas import STEP_UP, passkey_field
from api.validation import (
    AT_MOST_ONE_FACTOR,
    code_field,
    core_rule,
    one_second_factor,
    recovery_code_field,
)
from core.audit.events import SECURITY_EVENT_TYPES
from core.audit.list_security_events import DEFAULT_PAGE, MAX_PAGE
from core.domain import (
    EMAIL_MAX_LENGTH,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    USERNAME_PATTERN,
    email_problem,
    password_length_problem,
)

_username = validate.Regexp(
    USERNAME_PATTERN, error="Must be 3-32 characters of letters, digits, '_', '.' or '-'."
)
# Counted after normalisation, which the schema's own length bounds cannot express; the
# bound in the schema only caps what is read.
_password: list[Callable[[str], Any]] = [
    validate.Length(max=1024),
    core_rule(password_length_problem),
]
_new_password = {
    "description": f"{PASSWORD_MIN_LENGTH}-{PASSWORD_MAX_LENGTH} characters, counted after "
    "Unicode NFKC normalisation. Not one of the most common passwords, not containing the "
    "username or the email's local part, and (where the check is on) not in a known breach."
}
_email = validate.Length(max=EMAIL_MAX_LENGTH)
# An address to be stored on an account: at a domain name, not an IP address or a bare host.
_new_email: list[Callable[[str], Any]] = [_email, core_rule(email_problem)]
# The database cannot store NUL, and no login name has control characters: refuse them here.
_printable = validate.Regexp(r"^[^\x00-\x1f\x7f]*$", error="Must not contain control characters.")


WITH_TWO_STEP = (
    "needed when two-step sign-in is on: a code from the authenticator app (or `recovery_code` "
    "instead). A wrong one counts as a failed sign-in."
)


class UserCreate(Schema):
    username = fields.String(required=True, validate=_username)
    email = fields.Email(required=True, validate=_new_email)
    password = fields.String(
        required=True, load_only=True, validate=_password, metadata=_new_password
    )


class UserUpdate(Schema):
    # Rules marshmallow checks in code (validates_schema), stated for clients in JSON Schema.
    json_schema_rules: ClassVar[dict[str, Any]] = {
        "anyOf": [{"required": [name]} for name in ("username", "email", "password")],
        "dependentRequired": {
            "password": ["current_password"],
            "email": ["current_password"],
        },
        **AT_MOST_ONE_FACTOR,
    }

    username = fields.String(validate=_username)
    email = fields.Email(validate=_new_email)
    password = fields.String(load_only=True, validate=_password, metadata=_new_password)
    current_password = fields.String(
        load_only=True,
        validate=validate.Length(1, 1024),
        metadata={"description": "Required when `email` or `password` is given."},
    )
    code = code_field(description=f"With `email` or `password`, {WITH_TWO_STEP}")
    recovery_code = recovery_code_field()
    passkey = passkey_field(STEP_UP)

    @validates_schema
    def _something_to_change(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.keys() & {"username", "email", "password"}:
            raise ValidationError("Give at least one of username, email, password.")
        if data.keys() & {"email", "password"} and "current_password" not in data:
            raise ValidationError(
                "Required to change the email address or the password.",
                field_name="current_password",
            )
        one_second_factor(data, required=False)


class UserDelete(Schema):
    json_schema_rules: ClassVar[dict[str, Any]] = AT_MOST_ONE_FACTOR

    password = fields.String(required=True, load_only=True, validate=validate.Length(1, 1024))
    code = code_field(description=f"Also {WITH_TWO_STEP}")
    recovery_code = recovery_code_field()
    passkey = passkey_field(STEP_UP)

    @validates_schema
    def _at_most_one_factor(self, data: dict[str, Any], **kwargs: Any) -> None:
        one_second_factor(data, required=False)


class User(Schema):
    id = fields.UUID(required=True)
    username = fields.String(required=True)
    email = fields.String(required=True)
    email_verified = fields.Boolean(required=True)
    pending_email = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "An address asked for and not confirmed yet (null when none). It "
            "is no sign-in, recovery or mail address until the link mailed to it is opened."
        },
    )
    email_status = fields.String(
        required=True,
        metadata={
            "enum": ["unchecked", "pending", "verified_ok", "rejected", "unknown"],
            "description": "What the email reputation check said of the address.",
        },
    )
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)


class TokenRequest(Schema):
    """JSON body, or an OAuth2 password-grant form (its extra fields are ignored)."""

    class Meta:
        unknown = EXCLUDE

    username = fields.String(
        required=True,
        validate=[validate.Length(1, 254), _printable],
        metadata={"description": "The username or the email address."},
    )
    password = fields.String(required=True, load_only=True, validate=validate.Length(1, 1024))
    grant_type = fields.String(
        load_only=True,
        validate=validate.Equal("password", error="Only the password grant is supported."),
    )


_refresh_token = validate.Length(1, 1024)


class RefreshRequest(Schema):
    """JSON body, or an OAuth2 refresh-token-grant form (its extra fields are ignored)."""

    class Meta:
        unknown = EXCLUDE

    refresh_token = fields.String(required=True, load_only=True, validate=_refresh_token)
    grant_type = fields.String(
        load_only=True,
        validate=validate.Equal(
            "refresh_token", error="Only the refresh_token grant is supported here."
        ),
    )


class RevokeRequest(Schema):
    """JSON body, or a form (its extra fields, e.g. `token_type_hint`, are ignored)."""

    class Meta:
        unknown = EXCLUDE

    refresh_token = fields.String(required=True, load_only=True, validate=_refresh_token)


_action_token = fields.String(
    required=True,
    load_only=True,
    validate=validate.Length(1, 1024),
    metadata={"description": "The token from the mail."},
)


class EmailConfirmation(Schema):
    token = _action_token


class EmailChangeCancellation(Schema):
    token = _action_token


class PasswordForgotten(Schema):
    email = fields.Email(required=True, validate=_email)


class PasswordReset(Schema):
    token = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(1, 1024),
        metadata={"description": "The token from the mail."},
    )
    new_password = fields.String(
        required=True, load_only=True, validate=_password, metadata=_new_password
    )


class Token(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "Seconds."})
    refresh_token = fields.String(
        required=True,
        metadata={
            "description": "Opaque; exchange it at /api/v1/token/refresh for a new pair. "
            "Each one works once."
        },
    )


class Problem(Schema):
    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    request_id = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Field name -> messages, for invalid input."},
    )


class SecurityEventQuery(Schema):
    """The query string of GET /api/v1/users/security-events (other parameters are ignored)."""

    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(
        load_default=DEFAULT_PAGE,
        validate=validate.Range(1, MAX_PAGE),
        metadata={"description": f"Events per page, 1-{MAX_PAGE} (default {DEFAULT_PAGE})."},
    )
    cursor = fields.String(
        validate=validate.Length(1, 256),
        metadata={"description": "The `next_cursor` of the page before; none for the newest."},
    )


class SecurityEvent(Schema):
    type = fields.String(
        required=True,
        metadata={"enum": list(SECURITY_EVENT_TYPES), "description": "What happened."},
    )
    at = fields.AwareDateTime(required=True)
    ip = fields.String(
        required=True, allow_none=True, metadata={"description": "The client's address."}
    )
    device = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The client's device, read from its User-Agent."},
    )
    details = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={
            "description": "Depends on the type: addresses involved, a reason. Never a "
            "password, token or code."
        },
    )


class SecurityEventPage(Schema):
    items = fields.List(fields.Nested(SecurityEvent), required=True)
    next_cursor = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Pass as `cursor` for the next (older) page; null on the last."},
    )
