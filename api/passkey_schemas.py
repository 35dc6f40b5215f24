"""Request and response shapes of passkeys: the ceremonies a browser is handed and what it
answers, and the caller's passkeys. Options and answers are WebAuthn's own JSON forms (binary
values in base64url), as `PublicKeyCredential.parseCreationOptionsFromJSON()` and
`.parseRequestOptionsFromJSON()` read them and `PublicKeyCredential.toJSON()` writes them."""

from __future__ import annotations

from typing import Any, ClassVar

from marshmallow import Schema, fields, post_load, validate, validates_schema

from api.credential_schemas import AuthenticationCredential, RegistrationCredential
from api.validation import (
    AT_MOST_ONE_FACTOR,
    code_field,
    core_rule,
    one_second_factor,
    recovery_code_field,
)
from core.domain import PASSKEY_NAME_MAX_LENGTH, passkey_name_problem
from core.passkeys.ceremony import PasskeyAnswer

_challenge_id = fields.UUID(
    required=True,
    load_only=True,
    metadata={"description": "The `challenge_id` that came with the options."},
)
_answer = (
    "What the browser's `navigator.credentials.{}()` gave, as `PublicKeyCredential.toJSON()` "
    "writes it."
)
_assertion = fields.Nested(
    AuthenticationCredential,
    required=True,
    load_only=True,
    metadata={"description": _answer.format("get")},
)
_attestation = fields.Nested(
    RegistrationCredential,
    required=True,
    load_only=True,
    metadata={"description": _answer.format("create")},
)
_name: dict[str, Any] = {
    "validate": [validate.Length(1, PASSKEY_NAME_MAX_LENGTH), core_rule(passkey_name_problem)],
    "metadata": {
        "description": "What the owner calls the passkey: visible characters, not only "
        "spaces, no control characters."
    },
}


class PasskeyAssertion(Schema):
    """A passkey's answer to a challenge: of a second step, or of a step-up for a change."""

    challenge_id = _challenge_id
    credential = _assertion

    @post_load
    def _answer(self, data: dict[str, Any], **kwargs: Any) -> PasskeyAnswer:
        return PasskeyAnswer(data["challenge_id"], data["credential"])


def passkey_field(description: str) -> fields.Nested:
    return fields.Nested(PasskeyAssertion, load_only=True, metadata={"description": description})


STEP_UP = (
    "Instead of `code`, when the account has passkeys: a passkey's answer to POST "
    "/api/v1/mfa/passkeys/step-up-options (each works once, for 5 minutes). A wrong one "
    "counts as a failed sign-in."
)


class Ceremony(Schema):
    challenge_id = fields.UUID(
        required=True, metadata={"description": "Send it back with the browser's answer."}
    )
    options = fields.Dict(
        required=True,
        metadata={
            "description": "PublicKeyCredentialCreationOptions (to add a passkey) or "
            "PublicKeyCredentialRequestOptions (to sign with one) in their JSON form, for "
            "`navigator.credentials.create()` or `.get()`. The challenge works once, for 5 "
            "minutes."
        },
    )


class PasskeyRegistrationStart(Schema):
    """The password, and a second factor when the account has one already."""

    json_schema_rules: ClassVar[dict[str, Any]] = AT_MOST_ONE_FACTOR

    current_password = fields.String(
        required=True, load_only=True, validate=validate.Length(1, 1024)
    )
    code = code_field(
        description="Needed when two-step sign-in with an authenticator app is on: a code "
        "from the app (or `recovery_code`, or `passkey`)."
    )
    recovery_code = recovery_code_field()
    passkey = passkey_field(STEP_UP)

    @validates_schema
    def _at_most_one_factor(self, data: dict[str, Any], **kwargs: Any) -> None:
        one_second_factor(data, required=False)


class PasskeyRegistration(Schema):
    challenge_id = _challenge_id
    credential = _attestation
    name = fields.String(load_only=True, **_name)


class PasskeyRename(Schema):
    name = fields.String(required=True, load_only=True, **_name)


class PasskeyRemoval(PasskeyRegistrationStart):
    """The password, and a second factor: the account has one (this passkey at least)."""

    json_schema_rules: ClassVar[dict[str, Any]] = AT_MOST_ONE_FACTOR


class Passkey(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    last_used_at = fields.AwareDateTime(
        required=True,
        allow_none=True,
        metadata={"description": "When it last signed (null: never)."},
    )


class PasskeySignIn(Schema):
    challenge_id = _challenge_id
    credential = _assertion


class SecondStepPasskeyOptions(Schema):
    mfa_token = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(1, 1024),
        metadata={"description": "From the 403 mfa-required answer of /api/v1/token/access."},
    )
