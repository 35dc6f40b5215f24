"""An OpenID Connect provider found by discovery (`/.well-known/openid-configuration`): the
authorization code flow with PKCE through authlib's httpx client, and ID tokens checked with
joserfc against the provider's JWKS."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.errors import (
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from adapters.oidc.http import ProviderHttp, rejected
from adapters.oidc.settings import ProviderSettings
from core.domain.identities import ExternalIdentity
from core.ports import AuthorizationRequest, Clock, CodeGrant

# Asymmetric algorithms only: an HS256 token "signed" with our client secret proves nothing
# about the provider, and "none" proves nothing at all.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
LEEWAY_SECONDS = 60
NEEDED_METADATA = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


class OpenIdProvider:
    """One issuer. Its metadata is read once; its keys again when a token names a key it has
    not seen (the provider rotated them)."""

    issues_id_tokens = True

    def __init__(self, settings: ProviderSettings, client: AsyncOAuth2Client, clock: Clock) -> None:
        self.settings = settings
        self._http = ProviderHttp(settings, client)
        self._client = client
        self._clock = clock
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    async def authorization_request(self, redirect_uri: str) -> AuthorizationRequest:
        metadata = await self._discovered()
        verifier, nonce = generate_token(48), secrets.token_urlsafe(24)
        url, state = self._client.create_authorization_url(
            metadata["authorization_endpoint"],
            redirect_uri=redirect_uri,
            code_verifier=verifier,
            nonce=nonce,
        )
        return AuthorizationRequest(url, state, nonce, verifier)

    async def identity_from_code(self, grant: CodeGrant) -> ExternalIdentity:
        metadata = await self._discovered()
        token = await self._http.exchange(metadata["token_endpoint"], grant)
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise self._http.unavailable("no_id_token")
        assert grant.nonce is not None
        claims = await self._checked(id_token, grant.nonce)
        if "email" not in claims and metadata.get("userinfo_endpoint"):
            claims = await self._with_userinfo(claims, metadata["userinfo_endpoint"], token)
        return self._identity(claims)

    async def identity_from_id_token(self, id_token: str, nonce: str) -> ExternalIdentity:
        return self._identity(await self._checked(id_token, nonce))

    async def _discovered(self) -> dict[str, Any]:
        if self._metadata is None:
            url = self.settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
            metadata = await self._http.get_json(url, "discovery")
            if not isinstance(metadata, dict) or any(
                not isinstance(metadata.get(key), str) for key in NEEDED_METADATA
            ):
                raise self._http.unavailable("discovery_incomplete")
            if metadata["issuer"] != self.settings.issuer:
                # OpenID Connect Discovery 1.0, section 4.3: the document names its issuer.
                raise self._http.unavailable("discovery_issuer_mismatch")
            self._metadata = metadata
        return self._metadata

    async def _key_set(self, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            document = await self._http.get_json((await self._discovered())["jwks_uri"], "jwks")
            try:
                self._keys = KeySet.import_key_set(document)
            except (JoseError, ValueError, TypeError, KeyError, AttributeError):
                raise self._http.unavailable("jwks_unreadable") from None
        return self._keys

    async def _checked(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The claims of an ID token with a valid signature by one of the provider's keys,
        from its issuer, for our client id, not expired, with this sign-in's nonce."""
        try:
            decoded = jwt.decode(id_token, await self._key_set(), algorithms=list(ALGORITHMS))
        except (JoseError, ValueError):
            # A key we have not seen (rotation), or a bad token: look at the keys once more.
            try:
                keys = await self._key_set(refresh=True)
                decoded = jwt.decode(id_token, keys, algorithms=list(ALGORITHMS))
            except (JoseError, ValueError):
                raise rejected(self.settings, "bad_signature") from None
        claims = decoded.claims
        registry = jwt.JWTClaimsRegistry(
            now=lambda: int(self._clock.now().timestamp()),
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.settings.issuer},
            aud={"essential": True, "value": self.settings.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError:
            raise rejected(self.settings, "expired") from None
        except (InvalidClaimError, MissingClaimError) as error:
            claim = getattr(error, "claim", "")
            reason = {"aud": "wrong_audience", "iss": "wrong_issuer"}.get(claim, f"bad_{claim}")
            raise rejected(self.settings, reason) from None
        except JoseError:
            raise rejected(self.settings, "bad_claims") from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        azp = claims.get("azp")
        # OpenID Connect Core 3.1.3.7: with several audiences, the token must name us as the
        # party it was issued to.
        if (len(audiences) > 1 or azp is not None) and azp != self.settings.client_id:
            raise rejected(self.settings, "wrong_authorized_party")
        if not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(
            claims["nonce"].encode(), nonce.encode()
        ):
            raise rejected(self.settings, "nonce_mismatch")
        return dict(claims)

    async def _with_userinfo(
        self, claims: dict[str, Any], url: str, token: dict[str, Any]
    ) -> dict[str, Any]:
        """Providers that keep the address out of the ID token give it at userinfo."""
        info = await self._http.get_json(url, "userinfo", token.get("access_token"))
        if (
            not isinstance(info, dict) or info.get("sub") != claims["sub"]
        ):  # Core 5.3.2: else the answer is not about them
            raise self._http.unavailable("userinfo_subject_mismatch")
        return {**claims, **{k: info[k] for k in ("email", "email_verified") if k in info}}

    def _identity(self, claims: dict[str, Any]) -> ExternalIdentity:
        email = claims.get("email")
        username = claims.get("preferred_username")
        return ExternalIdentity(
            provider=self.settings.name,
            label=self.settings.label,
            issuer=self.settings.issuer,
            subject=str(claims["sub"]),
            email=email if isinstance(email, str) else None,
            # Some providers send the string "true".
            email_verified=claims.get("email_verified") in (True, "true"),
            preferred_username=username if isinstance(username, str) else None,
        )
