"""What a browser answers a passkey ceremony with: WebAuthn's JSON forms of a PublicKeyCredential
(RegistrationResponseJSON and AuthenticationResponseJSON, as `PublicKeyCredential.toJSON()`
writes them), binary values in base64url. The shape is checked here, as strictly as any other
body (a 422 names a member missing, of the wrong type, or unknown); what the values say is the
relying party's to verify (adapters/webauthn.py). The ceremonies ask for no extension, so no
extension output is expected but `credProps`, which a browser may report unasked."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

_BASE64URL = validate.Regexp(r"^[A-Za-z0-9_-]*={0,2}$", error="Must be base64url.")


def _binary(required: bool = False, allow_none: bool = False) -> fields.String:
    return fields.String(
        required=required,
        allow_none=allow_none,
        validate=_BASE64URL,
        metadata={"pattern": "^[A-Za-z0-9_-]*={0,2}$", "description": "base64url"},
    )


class CredentialProperties(Schema):
    rk = fields.Boolean(metadata={"description": "Whether the credential is discoverable."})


class ExtensionOutputs(Schema):
    """What the browser reports of extensions: none is asked for, but credProps may come."""

    credProps = fields.Nested(CredentialProperties)


class _Credential(Schema):
    id = _binary(required=True)
    rawId = _binary(required=True)
    type = fields.String(required=True, validate=validate.OneOf(["public-key"]))
    authenticatorAttachment = fields.String(
        allow_none=True, validate=validate.OneOf(["platform", "cross-platform"])
    )
    clientExtensionResults = fields.Nested(ExtensionOutputs)


class AttestationResponse(Schema):
    clientDataJSON = _binary(required=True)
    attestationObject = _binary(required=True)
    authenticatorData = _binary()
    transports = fields.List(fields.String())
    publicKey = _binary()
    publicKeyAlgorithm = fields.Integer()


class AssertionResponse(Schema):
    clientDataJSON = _binary(required=True)
    authenticatorData = _binary(required=True)
    signature = _binary(required=True)
    userHandle = _binary(allow_none=True)
    attestationObject = _binary()


class RegistrationCredential(_Credential):
    """What `navigator.credentials.create()` gave."""

    response = fields.Nested(AttestationResponse, required=True)


class AuthenticationCredential(_Credential):
    """What `navigator.credentials.get()` gave."""

    response = fields.Nested(AssertionResponse, required=True)
