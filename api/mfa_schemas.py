"""Request and response shapes of two-step sign-in: the second step of a sign-in, and the
caller's own second factors."""

from __future__ import annotations

from typing import Any, ClassVar

from marshmallow import EXCLUDE, Schema, fields, validate, validates_schema

from api.passkey_schemas import STEP_UP, Passkey, passkey_field
from api.schemas import Problem
from api.validation import (
    ONE_CODE,
    ONE_FACTOR,
    code_field,
    one_second_factor,
    recovery_code_field,
)

_current_password = fields.String(required=True, load_only=True, validate=validate.Length(1, 1024))


class SignInProblem(Problem):
    """A refused sign-in; a right password of an account with two-step sign-in is one too."""

    mfa_token = fields.String(
        metadata={
            "description": "When `type` ends in mfa-required: send it with a code (or a "
            "passkey's answer to POST /api/v1/token/mfa/passkey-options) to POST "
            "/api/v1/token/mfa, once, within 5 minutes."
        }
    )
    methods = fields.List(
        fields.String(metadata={"enum": ["totp", "recovery_code", "passkey"]}),
        metadata={"description": "When `type` ends in mfa-required: the factors accepted."},
    )


class MfaSignInForm(Schema):
    """The second step as an urlencoded form: a code or a recovery code (other fields of a
    form are ignored)."""

    class Meta:
        unknown = EXCLUDE

    json_schema_rules: ClassVar[dict[str, Any]] = ONE_CODE

    mfa_token = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(1, 1024),
        metadata={"description": "From the 403 mfa-required answer of /api/v1/token/access."},
    )
    code = code_field()
    recovery_code = recovery_code_field()

    @validates_schema
    def _one_factor(self, data: dict[str, Any], **kwargs: Any) -> None:
        one_second_factor(data, required=True)


class MfaSignIn(MfaSignInForm):
    """JSON body: a code, a recovery code, or a passkey's answer; or the form."""

    json_schema_rules: ClassVar[dict[str, Any]] = ONE_FACTOR

    passkey = passkey_field(
        "Instead of `code`, when the account has passkeys: a passkey's answer to POST "
        "/api/v1/token/mfa/passkey-options with this mfa_token."
    )


class TotpStart(Schema):
    current_password = _current_password
    passkey = passkey_field(f"Needed when the account has passkeys. {STEP_UP}")


class TotpConfirmation(Schema):
    code = code_field(
        required=True, description="A code the authenticator app makes from the new secret."
    )


class SecondFactorReauthentication(Schema):
    """The password and a second factor, for a change of the second factors themselves."""

    json_schema_rules: ClassVar[dict[str, Any]] = ONE_FACTOR

    current_password = _current_password
    code = code_field()
    recovery_code = recovery_code_field()
    passkey = passkey_field(STEP_UP)

    @validates_schema
    def _one_factor(self, data: dict[str, Any], **kwargs: Any) -> None:
        one_second_factor(data, required=True)


class MfaStatus(Schema):
    totp = fields.Boolean(
        required=True, metadata={"description": "Whether sign-in asks for a TOTP code."}
    )
    recovery_codes_left = fields.Integer(required=True)
    passkeys = fields.List(
        fields.Nested(Passkey),
        required=True,
        metadata={"description": "The passkeys registered, oldest first."},
    )


class TotpEnrolment(Schema):
    secret = fields.String(
        required=True, metadata={"description": "Base32, to type into the authenticator app."}
    )
    otpauth_uri = fields.String(
        required=True, metadata={"description": "The same secret as an otpauth:// URI."}
    )


class RecoveryCodes(Schema):
    recovery_codes = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "Shown this once; each works once in place of a TOTP code. Any "
            "earlier set no longer works."
        },
    )
