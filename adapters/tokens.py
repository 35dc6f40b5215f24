"""RS256 access tokens signed with PEM keys from a directory; the newest key signs."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from joserfc.jws import JWSRegistry

from core.domain import Unauthenticated
from core.ports import AccessClaims, Clock, IssuedToken

ALGORITHM = "RS256"
LEEWAY_SECONDS = 5
# Verified tokens remembered per process (a few MB at most).
VERIFIED_TOKENS_KEPT = 4096


class MissingKeys(RuntimeError):
    pass


def load_keys(key_dir: Path) -> list[RSAKey]:
    """Every `*.pem` private key in `key_dir`, oldest first (file names sort by creation time)."""
    paths = sorted(key_dir.glob("*.pem"))
    if not paths:
        raise MissingKeys(f"No signing keys in {key_dir}/: create one with `ops/keys new`.")
    keys = []
    for path in paths:
        key = RSAKey.import_key(path.read_bytes())
        key.ensure_kid()
        keys.append(key)
    return keys


def new_key_pem() -> bytes:
    return RSAKey.generate_key(3072, private=True).as_pem(private=True)


class JwtTokens:
    """Issues and verifies access tokens. Keys are loaded once, at start-up.

    A client sends the same access token with every request for its lifetime, and checking its
    RS256 signature is the costliest step of an authenticated request; so a token that passed
    every check is remembered, by its exact text, until it expires (or is crowded out by
    newer ones): it is then only checked for expiry. Its claims cannot change, the keys do not
    change while the process runs, and whether its `ver` is still the user's is checked against
    the user's row on every request anyway (see GetProfileHandler).
    """

    def __init__(
        self, keys: list[RSAKey], *, issuer: str, audience: str, ttl_seconds: int, clock: Clock
    ) -> None:
        self._signing_key = keys[-1]
        self._key_set = KeySet(list[Any](keys))
        self._issuer = issuer
        self._audience = audience
        self._ttl = ttl_seconds
        self._clock = clock
        # Only RS256 is accepted: this rules out "none" and HS256-with-the-public-key tricks.
        self._registry = JWSRegistry(algorithms=[ALGORITHM])
        self._claims = jwt.JWTClaimsRegistry(
            now=self._now,
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            sub={"essential": True},
            exp={"essential": True},
            nbf={"essential": True},
            iat={"essential": True},
            jti={"essential": True},
        )
        self._jwks = self._key_set.as_dict(private=False)
        # token -> (its claims, its `exp`); oldest first, so the first one is evicted first.
        self._verified: dict[str, tuple[AccessClaims, float]] = {}

    def issue(
        self,
        user_id: uuid.UUID,
        token_version: int = 0,
        auth_time: datetime | None = None,
        amr: Sequence[str] = ("pwd",),
        session_id: uuid.UUID | None = None,
        roles: frozenset[str] = frozenset(),
    ) -> IssuedToken:
        """Without `auth_time`, the token says the user signed in now; without `session_id`, it
        names no session (as tokens signed before sessions existed)."""
        now = self._now()
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": str(user_id),
            "iat": now,
            "nbf": now,
            "exp": now + self._ttl,
            "jti": uuid.uuid4().hex,
            "ver": token_version,
            "auth_time": now if auth_time is None else int(auth_time.timestamp()),
            "amr": list(amr),
        }
        if session_id is not None:
            claims["sid"] = str(session_id)
        if roles:
            claims["roles"] = sorted(roles)
        header = {"alg": ALGORITHM, "kid": self._signing_key.kid}
        token = jwt.encode(header, claims, self._signing_key, registry=self._registry)
        return IssuedToken(token=token, expires_in=self._ttl)

    def verify(self, token: str) -> AccessClaims:
        remembered = self._verified.get(token)
        if remembered is not None:
            claims, expires = remembered
            if expires > self._now() - LEEWAY_SECONDS:  # the claims registry's rule
                return claims
            del self._verified[token]
            raise Unauthenticated("The access token is invalid or expired.")
        claims, expires = self._check(token)
        if len(self._verified) >= VERIFIED_TOKENS_KEPT:
            del self._verified[next(iter(self._verified))]
        self._verified[token] = (claims, expires)
        return claims

    def _check(self, token: str) -> tuple[AccessClaims, float]:
        """Signature, algorithm and every claim; the claims and the token's expiry."""
        try:
            decoded = jwt.decode(token, self._key_set, registry=self._registry)
            self._claims.validate(decoded.claims)
            # Tokens signed before versions existed carry none: they were issued at version 0.
            version = decoded.claims.get("ver", 0)
            if type(version) is not int or version < 0:
                raise ValueError("ver must be a natural number")
            claims = AccessClaims(
                uuid.UUID(decoded.claims["sub"]),
                version,
                _auth_time(decoded.claims),
                _amr(decoded.claims),
                _roles(decoded.claims),
                _session_id(decoded.claims),
            )
        except (JoseError, ValueError, TypeError, KeyError) as error:
            raise Unauthenticated("The access token is invalid or expired.") from error
        # A NumericDate, or the claims registry would have refused it.
        return claims, decoded.claims["exp"]

    def public_keys(self) -> Mapping[str, object]:
        return self._jwks

    def _now(self) -> int:
        return int(self._clock.now().timestamp())


def _roles(claims: Mapping[str, object]) -> frozenset[str]:
    roles = claims.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise ValueError("roles must be a list of names")
    return frozenset(roles)


def _auth_time(claims: Mapping[str, object]) -> datetime | None:
    # Tokens signed before the claim existed carry none; they are gone one token lifetime later.
    if "auth_time" not in claims:
        return None
    seconds = claims["auth_time"]
    if type(seconds) is not int or seconds < 0:
        raise ValueError("auth_time must be a time in epoch seconds")
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError) as error:
        raise ValueError("auth_time is out of range") from error


def _amr(claims: Mapping[str, object]) -> tuple[str, ...]:
    # Tokens signed before the claim existed carry none; they are gone one token lifetime later.
    methods = claims.get("amr", [])
    if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
        raise ValueError("amr must be a list of method names")
    return tuple(methods)


def _session_id(claims: Mapping[str, object]) -> uuid.UUID | None:
    # Tokens signed before sessions existed carry none; they are gone one token lifetime later.
    if "sid" not in claims:
        return None
    sid = claims["sid"]
    if not isinstance(sid, str):
        raise ValueError("sid must be a session id")
    return uuid.UUID(sid)
