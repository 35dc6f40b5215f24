"""The WebAuthn relying party, over py_webauthn (the `webauthn` package by Duo Labs)."""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    PublicKeyCredentialCreationOptions,
    PublicKeyCredentialDescriptor,
    PublicKeyCredentialRequestOptions,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from core.domain import (
    CHALLENGE_TTL,
    Assertion,
    InvalidPasskey,
    NewCredential,
    Passkey,
    User,
    user_handle,
)
from core.ports import CredentialJson

log = logging.getLogger("adapters.webauthn")

# The browser may give up when the challenge expires, not later.
TIMEOUT_MS = int(CHALLENGE_TTL.total_seconds() * 1000)
# ES256 first: every platform authenticator has it; EdDSA and RS256 for security keys and
# Windows Hello.
ALGORITHMS = [
    COSEAlgorithmIdentifier.ECDSA_SHA_256,
    COSEAlgorithmIdentifier.EDDSA,
    COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,
]
# WebAuthn Level 3 caps credential ids at 1023 bytes; a longer one is no authenticator's.
MAX_CREDENTIAL_ID_BYTES = 1023


@contextlib.contextmanager
def _refusing_bad_input() -> Iterator[None]:
    """Turn any failure while reading what a client sent into InvalidPasskey.

    Everything inside parses or checks bytes from the client (JSON, base64url, CBOR, COSE keys,
    signatures), and the package raises many kinds of error for them (its own, ValueError,
    KeyError, cbor2's, cryptography's): a failure of any kind is a bad answer, not a fault of
    ours. The reason is logged; the client learns only that the passkey was refused."""
    try:
        yield
    except InvalidPasskey:
        raise
    except Exception as error:
        log.info("passkey response refused", extra={"reason": f"{type(error).__name__}: {error}"})
        raise InvalidPasskey() from error


def _json(response: CredentialJson) -> str | dict[str, Any]:
    if isinstance(response, str):
        return response
    if isinstance(response, Mapping):
        return dict(response)
    raise InvalidPasskey()


def _plain_json(
    options: PublicKeyCredentialCreationOptions | PublicKeyCredentialRequestOptions,
) -> dict[str, Any]:
    # Through text and back: plain dicts, lists, strings and ints (no enums) for any serialiser.
    parsed: dict[str, Any] = json.loads(options_to_json(options))
    return parsed


def _descriptors(passkeys: Sequence[Passkey]) -> list[PublicKeyCredentialDescriptor]:
    known = {t.value for t in AuthenticatorTransport}
    return [
        PublicKeyCredentialDescriptor(
            id=p.credential_id,
            transports=[AuthenticatorTransport(t) for t in p.transports if t in known] or None,
        )
        for p in passkeys
    ]


class WebAuthnRelyingParty:
    """This service as a WebAuthn relying party: `rp_id` is the domain passkeys are bound to,
    `origins` the pages that may answer its ceremonies."""

    def __init__(self, rp_id: str, rp_name: str, origins: Sequence[str]) -> None:
        if not origins:
            raise ValueError("WebAuthn needs at least one allowed origin (WEBAUTHN_ORIGINS)")
        self.rp_id = rp_id
        self.rp_name = rp_name
        self.origins = list(origins)

    def registration_options(
        self, user: User, challenge: bytes, registered: Sequence[Passkey]
    ) -> dict[str, Any]:
        options = generate_registration_options(
            rp_id=self.rp_id,
            rp_name=self.rp_name,
            user_id=user_handle(user.id),
            user_name=user.username,
            user_display_name=user.username,
            challenge=challenge,
            timeout=TIMEOUT_MS,
            attestation=AttestationConveyancePreference.NONE,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED,
                user_verification=UserVerificationRequirement.REQUIRED,
            ),
            exclude_credentials=_descriptors(registered),
            supported_pub_key_algs=ALGORITHMS,
        )
        return _plain_json(options)

    def verify_registration(self, response: CredentialJson, challenge: bytes) -> NewCredential:
        with _refusing_bad_input():
            credential = parse_registration_credential_json(_json(response))
            verified = verify_registration_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=self.rp_id,
                expected_origin=self.origins,
                require_user_presence=True,
                require_user_verification=True,
                supported_pub_key_algs=ALGORITHMS,
            )
            if len(verified.credential_id) > MAX_CREDENTIAL_ID_BYTES:
                raise ValueError("credential id longer than 1023 bytes")
            return NewCredential(
                credential_id=verified.credential_id,
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                transports=tuple(t.value for t in credential.response.transports or ()),
                aaguid=uuid.UUID(verified.aaguid),
                backup_eligible=(
                    verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE
                ),
                backed_up=verified.credential_backed_up,
            )

    def authentication_options(
        self, challenge: bytes, allowed: Sequence[Passkey]
    ) -> dict[str, Any]:
        options = generate_authentication_options(
            rp_id=self.rp_id,
            challenge=challenge,
            timeout=TIMEOUT_MS,
            allow_credentials=_descriptors(allowed),
            user_verification=UserVerificationRequirement.REQUIRED,
        )
        return _plain_json(options)

    def assertion_credential_id(self, response: CredentialJson) -> bytes:
        with _refusing_bad_input():
            return parse_authentication_credential_json(_json(response)).raw_id

    def verify_authentication(
        self, response: CredentialJson, challenge: bytes, passkey: Passkey
    ) -> Assertion:
        with _refusing_bad_input():
            credential = parse_authentication_credential_json(_json(response))
            if credential.raw_id != passkey.credential_id:
                raise ValueError("the response names another credential")
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=self.rp_id,
                expected_origin=self.origins,
                credential_public_key=passkey.public_key,
                # The counter is the domain's to judge (Passkey.used logs a possible clone); 0
                # turns the package's own check off, so that the two never disagree.
                credential_current_sign_count=0,
                require_user_verification=True,
            )
            return Assertion(
                credential_id=verified.credential_id,
                sign_count=verified.new_sign_count,
                backed_up=verified.credential_backed_up,
                user_handle=credential.response.user_handle,
            )
