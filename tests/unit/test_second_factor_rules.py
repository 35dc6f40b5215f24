"""The rules of second factors on their own: which TOTP codes match, recovery codes and their
hashes, sealed secrets, the `amr` claim, and what an event may carry."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest

from adapters.keys import new_key
from adapters.tokens import JwtTokens, load_keys
from adapters.totp_secrets import AesGcmTotpSecrets
from core.domain import (
    matching_step,
    new_recovery_codes,
    new_totp_secret,
    recovery_code_hash,
)
from core.domain.mfa import time_step
from core.events import UserEvent
from core.mail.lifecycle import compose
from tests.unit.fakes import FixedClock

NOW = datetime(2026, 11, 1, 12, 0, 10, tzinfo=UTC)
STEP = timedelta(seconds=30)


def _code(secret: str, steps: int) -> str:
    return pyotp.TOTP(secret).at(NOW + steps * STEP)


@pytest.mark.parametrize(
    ("steps", "accepted"), [(-2, False), (-1, True), (0, True), (1, True), (2, False)]
)
def test_one_step_of_drift_either_way_is_accepted(steps: int, accepted: bool) -> None:
    secret = new_totp_secret()

    step = matching_step(secret, _code(secret, steps), NOW, after=None)

    assert (step == time_step(NOW) + steps) if accepted else step is None


def test_no_code_of_a_step_already_accepted_or_before_matches() -> None:
    secret = new_totp_secret()
    current = time_step(NOW)

    assert matching_step(secret, _code(secret, 0), NOW, after=current) is None
    assert matching_step(secret, _code(secret, -1), NOW, after=current - 1) is None
    assert matching_step(secret, _code(secret, 1), NOW, after=current) == current + 1


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12345a", "١٢٣٤٥٦", "123456\n"])
def test_a_malformed_code_matches_nothing(code: str) -> None:
    assert matching_step(new_totp_secret(), code, NOW, after=None) is None


def test_a_secret_has_160_bits() -> None:
    assert len(pyotp.TOTP(new_totp_secret()).byte_secret()) == 20


def test_recovery_codes_are_ten_distinct_and_compare_without_case_or_dash() -> None:
    codes = new_recovery_codes()
    user = uuid.uuid4()

    assert len(set(codes)) == 10
    assert all(len(c) == 11 and c[5] == "-" for c in codes)
    code = codes[0]
    spellings = {code, code.upper(), code.replace("-", ""), f" {code.upper()} "}
    assert {recovery_code_hash(user, s) for s in spellings} == {recovery_code_hash(user, code)}
    assert recovery_code_hash(uuid.uuid4(), code) != recovery_code_hash(user, code)


def test_a_sealed_secret_opens_only_with_its_key_for_its_user() -> None:
    box = AesGcmTotpSecrets(b"k" * 32)
    user, secret = uuid.uuid4(), new_totp_secret()

    sealed = box.seal(user, secret)

    assert secret.encode() not in sealed
    assert box.open(user, sealed) == secret
    assert box.seal(user, secret) != sealed, "a fresh nonce each time"
    assert box.open(uuid.uuid4(), sealed) is None
    assert AesGcmTotpSecrets(b"x" * 32).open(user, sealed) is None
    assert box.open(user, sealed[:-1] + bytes([sealed[-1] ^ 1])) is None
    assert box.open(user, b"\x02" + sealed[1:]) is None


def test_an_access_token_says_how_its_user_signed_in(tmp_path: Path) -> None:
    new_key(tmp_path, NOW)
    tokens = JwtTokens(
        load_keys(tmp_path), issuer="i", audience="a", ttl_seconds=900, clock=FixedClock(NOW)
    )
    user = uuid.uuid4()

    claims = tokens.verify(tokens.issue(user, 0, NOW, ("pwd", "otp")).token)

    assert claims.amr == ("pwd", "otp")
    assert tokens.verify(tokens.issue(user).token).amr == ("pwd",)


def test_a_recovery_code_event_carries_the_count_and_its_mail_says_it() -> None:
    event = UserEvent(
        "user.recovery_code_used",
        uuid.uuid4(),
        "alice@example.com",
        "alice",
        NOW,
        recovery_codes_left=4,
    )

    again = UserEvent.from_json(event.to_json())

    assert again == event
    (mail,) = compose(again, lambda *_: "unused")
    assert "4 left" in mail.text
    assert mail.to == "alice@example.com"
