"""The WebAuthn relying party over py_webauthn, as the web process configures it, against what a
software authenticator answers, honestly and otherwise."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import cbor2
import pytest

from adapters.settings import Settings
from adapters.webauthn import WebAuthnRelyingParty
from core.domain import InvalidPasskey, Passkey, User, user_handle
from tests.webauthn_authenticator import SoftwareAuthenticator, b64url, from_b64url

NOW = datetime(2026, 12, 1, tzinfo=UTC)
ALICE = User.register(username="alice", email="alice@example.com", password_hash="h", now=NOW)


@pytest.fixture
def relying_party(settings: Settings) -> WebAuthnRelyingParty:
    return WebAuthnRelyingParty(
        settings.webauthn_rp_id, settings.webauthn_rp_name, settings.webauthn_origins
    )


@pytest.fixture
def registered(relying_party: WebAuthnRelyingParty) -> tuple[SoftwareAuthenticator, Passkey]:
    authenticator = SoftwareAuthenticator()
    challenge = os.urandom(32)
    answer = authenticator.create(relying_party.registration_options(ALICE, challenge, []))
    credential = relying_party.verify_registration(answer, challenge)
    return authenticator, Passkey.register(ALICE.id, credential, "Phone", NOW)


def test_the_options_are_json_a_browser_reads(
    relying_party: WebAuthnRelyingParty, registered: tuple[SoftwareAuthenticator, Passkey]
) -> None:
    _, passkey = registered
    created = relying_party.registration_options(ALICE, b"c" * 32, [passkey])
    assert json.loads(json.dumps(created)) == created
    assert created["rp"] == {"id": "localhost", "name": "Accounts"}
    assert from_b64url(created["user"]["id"]) == user_handle(ALICE.id)
    assert created["user"]["name"] == "alice"
    assert -7 in [p["alg"] for p in created["pubKeyCredParams"]]
    assert created["timeout"] == 300_000
    [excluded] = created["excludeCredentials"]
    assert excluded == {
        "id": b64url(passkey.credential_id),
        "type": "public-key",
        "transports": ["hybrid", "internal"],
    }
    known = relying_party.authentication_options(b"c" * 32, [passkey])
    assert [c["id"] for c in known["allowCredentials"]] == [b64url(passkey.credential_id)]
    anyone = relying_party.authentication_options(b"c" * 32, [])
    assert (anyone["allowCredentials"], anyone["rpId"]) == ([], "localhost")
    assert anyone["userVerification"] == "required"


def _client_data(answer: dict[str, Any], **changes: Any) -> None:
    data = json.loads(from_b64url(answer["response"]["clientDataJSON"]))
    answer["response"]["clientDataJSON"] = b64url(json.dumps({**data, **changes}).encode())


def _attestation(answer: dict[str, Any], **changes: Any) -> None:
    decoded = cbor2.loads(from_b64url(answer["response"]["attestationObject"]))
    answer["response"]["attestationObject"] = b64url(cbor2.dumps({**decoded, **changes}))


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def spoil(answer: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = answer
        for key in parents:
            target = target[key]
        target[last] = value

    return spoil


SPOILED_REGISTRATIONS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "missing_raw_id": lambda a: a.pop("rawId"),
    "id_is_not_raw_id": _set("id", b64url(b"another credential")),
    "not_public_key": _set("type", "private-key"),
    "client_data_not_base64": _set("response.clientDataJSON", "%%%~~~"),
    "client_data_not_json": _set("response.clientDataJSON", b64url(b"<xml/>")),
    "client_data_of_a_get": lambda a: _client_data(a, type="webauthn.get"),
    "attestation_not_a_map": _set("response.attestationObject", b64url(cbor2.dumps([1, 2]))),
    "unverifiable_packed": lambda a: _attestation(a, fmt="packed"),
    "none_with_a_statement": lambda a: _attestation(a, attStmt={"sig": b"x"}),
    "auth_data_truncated": lambda a: _attestation(a, authData=b"\x00" * 20),
    "response_missing": lambda a: a.pop("response"),
}


@pytest.mark.parametrize("spoil", SPOILED_REGISTRATIONS.values(), ids=SPOILED_REGISTRATIONS.keys())
def test_a_spoiled_registration_is_refused(relying_party: WebAuthnRelyingParty, spoil) -> None:
    challenge = os.urandom(32)
    options = relying_party.registration_options(ALICE, challenge, [])
    answer = SoftwareAuthenticator().create(options)
    spoil(answer)
    with pytest.raises(InvalidPasskey):
        relying_party.verify_registration(answer, challenge)


@pytest.mark.parametrize("answer", ["", "[]", "null", '{"id": 1}', 42, None])
def test_what_is_no_credential_at_all_is_refused(
    relying_party: WebAuthnRelyingParty, answer: Any
) -> None:
    with pytest.raises(InvalidPasskey):
        relying_party.verify_registration(answer, b"c" * 32)
    with pytest.raises(InvalidPasskey):
        relying_party.assertion_credential_id(answer)


SPOILED_ASSERTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "signature_not_der": _set("response.signature", b64url(b"\x01\x02\x03")),
    "auth_data_truncated": _set("response.authenticatorData", b64url(b"\x00" * 36)),
    "user_handle_not_text": _set("response.userHandle", 12),
    "client_data_of_a_create": lambda a: _client_data(a, type="webauthn.create"),
    "client_data_of_another_challenge": lambda a: _client_data(a, challenge=b64url(b"x" * 32)),
    "another_credential": _set("rawId", b64url(b"another credential")),
}


@pytest.mark.parametrize("spoil", SPOILED_ASSERTIONS.values(), ids=SPOILED_ASSERTIONS.keys())
def test_a_spoiled_assertion_is_refused(
    relying_party: WebAuthnRelyingParty, registered: tuple[SoftwareAuthenticator, Passkey], spoil
) -> None:
    authenticator, passkey = registered
    challenge = os.urandom(32)
    answer = authenticator.get(relying_party.authentication_options(challenge, [passkey]))
    assert relying_party.verify_authentication(answer, challenge, passkey).sign_count == 1
    spoil(answer)
    with pytest.raises(InvalidPasskey):
        relying_party.verify_authentication(answer, challenge, passkey)


def test_an_assertion_says_its_counter_and_user_handle(
    relying_party: WebAuthnRelyingParty, registered: tuple[SoftwareAuthenticator, Passkey]
) -> None:
    authenticator, passkey = registered
    challenge = os.urandom(32)
    answer = authenticator.get(relying_party.authentication_options(challenge, []), counter=41)
    assert relying_party.assertion_credential_id(answer) == passkey.credential_id
    assertion = relying_party.verify_authentication(answer, challenge, passkey)
    assert (assertion.sign_count, assertion.user_handle) == (41, ALICE.id.bytes)
    # A counter that went back still verifies here: judging it is the domain's (Passkey.used).
    answer = authenticator.get(relying_party.authentication_options(challenge, []), counter=2)
    assert relying_party.verify_authentication(answer, challenge, passkey).sign_count == 2


def test_an_origin_not_configured_is_refused_one_configured_is_accepted() -> None:
    relying_party = WebAuthnRelyingParty(
        "example.com", "Accounts", ["https://accounts.example.com"]
    )
    challenge = os.urandom(32)
    options = relying_party.registration_options(ALICE, challenge, [])
    page = SoftwareAuthenticator("https://accounts.example.com")
    credential = relying_party.verify_registration(page.create(options), challenge)
    assert credential.aaguid != uuid.UUID(int=0)
    other = SoftwareAuthenticator("https://shop.example.com")  # same site, not configured
    with pytest.raises(InvalidPasskey):
        relying_party.verify_registration(other.create(options), challenge)


def test_no_origin_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="WEBAUTHN_ORIGINS"):
        WebAuthnRelyingParty("localhost", "Accounts", [])
