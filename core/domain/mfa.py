"""The second step of a sign-in: time-based one-time passwords (RFC 6238), recovery codes, and
the short-lived token that links the password step to the second one."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import pyotp

from core.domain.tokens import refresh_token_hash
from core.domain.users import User

# RFC 6238 as authenticator apps implement it: HMAC-SHA-1, 6 digits, a new code every 30 s.
TOTP_STEP_SECONDS = 30
TOTP_DIGITS = 6
TOTP_DRIFT_STEPS = 1
"""Codes of this many steps before or after the current one are accepted (clock drift)."""
TOTP_CODE = re.compile(r"[0-9]{6}")

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # base32: no 0/O or 1/I/L to confuse
RECOVERY_CODE = re.compile(r"[A-Za-z2-7]{5}-?[A-Za-z2-7]{5}")

MFA_TOKEN_TTL = timedelta(minutes=5)

Amr = tuple[str, ...]
"""Authentication methods references (RFC 8176) of a sign-in."""
PASSWORD_ONLY: Amr = ("pwd",)
PASSKEY_ONLY: Amr = ("hwk",)
"""A sign-in with a passkey alone: a hardware-secured key, whose authenticator verified the
user itself (RFC 8176 has no name for a passkey as such)."""

SecondFactorMethod = Literal["totp", "recovery_code", "passkey"]
"""The second factors a sign-in (or a sensitive change) may ask for: a TOTP code, a recovery
code in its place, or a passkey's signature."""


def is_totp_code(code: str) -> bool:
    return TOTP_CODE.fullmatch(code) is not None


def is_recovery_code(code: str) -> bool:
    return RECOVERY_CODE.fullmatch(code) is not None


def totp_code_problem(code: str) -> str | None:
    return None if is_totp_code(code) else "Must be the 6 digits the authenticator app shows."


def recovery_code_problem(code: str) -> str | None:
    if is_recovery_code(code):
        return None
    return "Must be one of the recovery codes, as shown: 10 letters and digits, like abcde-fghij."


def new_totp_secret() -> str:
    """160 random bits in base32, the key length RFC 4226 recommends."""
    return pyotp.random_base32(32)


def totp_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads (usually from a QR code)."""
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer
    )


def time_step(now: datetime) -> int:
    return int(now.timestamp()) // TOTP_STEP_SECONDS


def matching_step(secret: str, code: str, now: datetime, *, after: int | None) -> int | None:
    """The time step, within the drift allowed around `now`, whose code is `code`; None when
    none is. Steps up to `after` (the last one accepted) are not considered: a code is accepted
    once, so one seen over a shoulder or in a proxy's log cannot be played again."""
    if not is_totp_code(code):
        return None
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP_SECONDS)
    current = time_step(now)
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


@dataclass(frozen=True, slots=True)
class TotpCredential:
    """A user's TOTP secret, sealed (encrypted) for storage. Pending until a code made from it
    is sent back (`confirmed_at`); only a confirmed one is asked for at sign-in."""

    user_id: uuid.UUID
    sealed_secret: bytes
    created_at: datetime
    confirmed_at: datetime | None = None
    last_step: int | None = None
    """The time step of the last code accepted: no code of that step or before is accepted."""

    @property
    def enabled(self) -> bool:
        return self.confirmed_at is not None


def normalise_recovery_code(code: str) -> str:
    """Recovery codes are compared without case or the dash they are shown with."""
    return code.replace("-", "").strip().upper()


def recovery_code_hash(user_id: uuid.UUID, code: str) -> str:
    # 50 random bits per code: one fast hash keeps a copied table from showing them, and the
    # user id in it makes each account's codes a search of its own.
    message = f"{user_id}:{normalise_recovery_code(code)}".encode()
    return hashlib.sha256(message).hexdigest()


def new_recovery_codes() -> list[str]:
    """A fresh set, as shown to the user once: xxxxx-xxxxx, lower case."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        chars = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{chars[:5]}-{chars[5:]}".lower())
    return codes


# RFC 8176's name of each factor in `amr`: a one-time password, a recovery code, and a
# hardware-secured key (a passkey's private key never leaves its authenticator).
_FACTOR_OF_AMR: dict[str, SecondFactorMethod] = {
    "otp": "totp",
    "rcv": "recovery_code",
    "hwk": "passkey",
}


@dataclass(frozen=True, slots=True)
class SecondFactorProof:
    """A second factor that matched and is still to be spent (in the transaction of what it
    allows): the TOTP time step, or the hash of the recovery code. A passkey's proof has
    nothing left to spend: its single-use challenge was used up when it was verified."""

    method: Literal["otp", "rcv", "hwk"]
    step: int | None = None
    code_hash: str | None = None

    @property
    def factor(self) -> SecondFactorMethod:
        """The factor as the API and the audit trail name it."""
        return _FACTOR_OF_AMR[self.method]


def mfa_token_hash(secret: str) -> str:
    # 256 random bits, like a refresh token: one fast hash is enough.
    return refresh_token_hash(secret)


@dataclass(frozen=True, slots=True)
class MfaChallenge:
    """The first step of a sign-in that still needs a second factor: the password, or a
    provider's word (`provider`). The client holds the secret (`mfa_token`); only its hash is
    stored. It works once, for a few minutes, for the account and token version it was issued
    for."""

    token_hash: str
    user_id: uuid.UUID
    token_version: int
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    provider: str | None = None
    """The sign-in provider of the first step; None for the password."""

    @classmethod
    def issue(
        cls, user: User, now: datetime, provider: str | None = None
    ) -> tuple[str, MfaChallenge]:
        secret = secrets.token_urlsafe(32)
        challenge = cls(
            token_hash=mfa_token_hash(secret),
            user_id=user.id,
            token_version=user.token_version,
            created_at=now,
            expires_at=now + MFA_TOKEN_TTL,
            provider=provider,
        )
        return secret, challenge

    def amr(self, proof: SecondFactorProof) -> Amr:
        """How the whole sign-in was made (RFC 8176): the first step's factor (`pwd`, or `ext`
        for a provider), then the second's."""
        return ("pwd" if self.provider is None else "ext", proof.method)

    def live(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at
