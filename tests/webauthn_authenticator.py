"""A software authenticator: answers WebAuthn options as a browser with a platform authenticator
answers `navigator.credentials.create()` and `.get()`, and returns what the browser's
`PublicKeyCredential.toJSON()` gives.

It holds ES256 (P-256) keys, attests with format "none", signs assertions over authenticatorData
and the hash of clientDataJSON, and keeps a signature counter per credential. As a browser does,
it refuses options whose relying party is not the page's host (or a parent domain of it), and
creation when it already holds a credential the options exclude. Knobs let a test answer as no
honest client would: another origin or relying party id, no user verification, a chosen counter,
a signature over other bytes."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40
ES256 = -7
AAGUID = uuid.UUID("6d0a2a51-7e46-4e0c-9c5f-0f1e3b2c8a11")  # this model's, made up


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class NotAllowedError(Exception):
    """The browser's NotAllowedError: no credential here answers these options."""


class InvalidStateError(Exception):
    """The browser's InvalidStateError: this authenticator holds an excluded credential."""


class SecurityError(Exception):
    """The browser's SecurityError: the relying party id is not the page's host or a parent."""


@dataclass
class Credential:
    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    counter: int


class SoftwareAuthenticator:
    """A platform authenticator (passkeys synced, so backup-eligible and backed up) behind a
    browser showing a page of `origin`. `counts=False` makes it one that reports 0 always."""

    def __init__(self, origin: str = "http://localhost:8000", *, counts: bool = True) -> None:
        self.origin = origin
        self.counts = counts
        self.credentials: list[Credential] = []

    def create(
        self,
        options: dict[str, Any],
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        user_verified: bool = True,
        counter: int = 0,
    ) -> dict[str, Any]:
        """Answer `navigator.credentials.create({publicKey: options})`."""
        page_rp_id = options["rp"].get("id") or self._host
        self._check_rp_id(page_rp_id)
        if ES256 not in [p["alg"] for p in options["pubKeyCredParams"]]:
            raise NotAllowedError("no algorithm this authenticator has")
        excluded = {from_b64url(c["id"]) for c in options.get("excludeCredentials", [])}
        if any(c.credential_id in excluded for c in self._of(page_rp_id)):
            raise InvalidStateError("this authenticator holds an excluded credential")
        credential = Credential(
            credential_id=secrets.token_bytes(32),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            rp_id=page_rp_id,
            user_handle=from_b64url(options["user"]["id"]),
            counter=counter,
        )
        self.credentials.append(credential)
        auth_data = (
            self._auth_data(rp_id or page_rp_id, user_verified, counter, attested=True)
            + AAGUID.bytes
            + len(credential.credential_id).to_bytes(2, "big")
            + credential.credential_id
            + cbor2.dumps(_cose_key(credential.private_key.public_key()))
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = _client_data("webauthn.create", options["challenge"], origin or self.origin)
        public_key = credential.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return self._credential_json(
            credential,
            {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "authenticatorData": b64url(auth_data),
                "transports": ["hybrid", "internal"],
                "publicKeyAlgorithm": ES256,
                "publicKey": b64url(public_key),
            },
        )

    def get(
        self,
        options: dict[str, Any],
        *,
        credential_id: bytes | None = None,
        origin: str | None = None,
        rp_id: str | None = None,
        user_verified: bool = True,
        counter: int | None = None,
        tamper_signature: bool = False,
    ) -> dict[str, Any]:
        """Answer `navigator.credentials.get({publicKey: options})`: with the credential the
        options allow (or, when they allow any, the one the person picks: `credential_id`, or
        the first this authenticator holds for the relying party)."""
        page_rp_id = options.get("rpId") or self._host
        self._check_rp_id(page_rp_id)
        allowed = [from_b64url(c["id"]) for c in options.get("allowCredentials", [])]
        candidates = [
            c
            for c in self._of(page_rp_id)
            if (not allowed or c.credential_id in allowed)
            and (credential_id is None or c.credential_id == credential_id)
        ]
        if not candidates:
            raise NotAllowedError("no credential here answers these options")
        credential = candidates[0]
        if counter is not None:
            credential.counter = counter
        elif self.counts:
            credential.counter += 1
        auth_data = self._auth_data(rp_id or page_rp_id, user_verified, credential.counter)
        client_data = _client_data("webauthn.get", options["challenge"], origin or self.origin)
        signed = auth_data + hashlib.sha256(client_data).digest()
        if tamper_signature:
            signed = signed[:-1] + bytes([signed[-1] ^ 0x01])
        signature = credential.private_key.sign(signed, ec.ECDSA(hashes.SHA256()))
        return self._credential_json(
            credential,
            {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(credential.user_handle),
            },
        )

    @property
    def _host(self) -> str:
        return urlsplit(self.origin).hostname or ""

    def _check_rp_id(self, rp_id: str) -> None:
        if self._host != rp_id and not self._host.endswith("." + rp_id):
            raise SecurityError(f"relying party {rp_id!r} is not valid for {self.origin}")

    def _of(self, rp_id: str) -> list[Credential]:
        return [c for c in self.credentials if c.rp_id == rp_id]

    def _auth_data(
        self, rp_id: str, user_verified: bool, counter: int, attested: bool = False
    ) -> bytes:
        flags = UP | BE | BS | (UV if user_verified else 0) | (AT if attested else 0)
        rp_id_hash = hashlib.sha256(rp_id.encode("utf-8")).digest()
        return rp_id_hash + bytes([flags]) + counter.to_bytes(4, "big")

    def _credential_json(self, credential: Credential, response: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": response,
        }


def _client_data(kind: str, challenge: str, origin: str) -> bytes:
    # Key order and compact form as browsers write it.
    data = {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
    return json.dumps(data, separators=(",", ":")).encode("utf-8")


def _cose_key(public_key: ec.EllipticCurvePublicKey) -> dict[int, Any]:
    numbers = public_key.public_numbers()
    # kty EC2, alg ES256, crv P-256, x, y
    return {
        1: 2,
        3: ES256,
        -1: 1,
        -2: numbers.x.to_bytes(32, "big"),
        -3: numbers.y.to_bytes(32, "big"),
    }
