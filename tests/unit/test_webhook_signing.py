"""Webhook signatures: the Standard Webhooks scheme, checked against the specification's own
example, and the README's verification function against what the service sends."""

from __future__ import annotations

import base64
import time

from core.webhooks.signing import new_secret, signature, signed_headers
from tests.webhook_receiver import readme_verify

# The example of the Standard Webhooks specification (and of its libraries' tests).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

BODY = b'{"type":"user.created","event_id":"4b6c2f6e-0000-4000-8000-000000000001"}'


def test_the_signature_of_the_specifications_example() -> None:
    assert signature(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_a_secret_is_32_random_bytes_after_its_prefix() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    assert new_secret() != secret


def test_the_headers_name_the_event_the_time_and_the_signature() -> None:
    headers = signed_headers(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
    assert headers == {
        "webhook-id": SPEC_ID,
        "webhook-timestamp": str(SPEC_TIMESTAMP),
        "webhook-signature": SPEC_SIGNATURE,
    }


def test_the_readme_function_accepts_what_the_service_signs_and_nothing_else() -> None:
    verify = readme_verify()
    secret, now = new_secret(), int(time.time())
    headers = signed_headers(secret, "event-1", now, BODY)
    assert verify(secret, headers, BODY)
    assert not verify(secret, headers, BODY.replace(b"created", b"deleted")), "a tampered body"
    assert not verify(new_secret(), headers, BODY), "another endpoint's secret"
    assert not verify(secret, {**headers, "webhook-id": "event-2"}, BODY), "another event's id"
    stale = signed_headers(secret, "event-1", now - 600, BODY)
    assert not verify(secret, stale, BODY), "older than the tolerance: a replay"
    assert verify(secret, stale, BODY, tolerance=900)
    # Receivers keep accepting while a sender lists several signatures (a secret being rotated).
    several = {**headers, "webhook-signature": f"v1,bm90IGl0 {headers['webhook-signature']}"}
    assert verify(secret, several, BODY)
