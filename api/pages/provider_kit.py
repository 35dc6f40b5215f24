"""What the provider pages share: the configured providers, the signed cookies of a sign-in in
progress, and the identity waiting to be linked."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

import falcon

from api.pages.provider_cookies import LINK, ProviderCookies
from core.domain.identities import ExternalIdentity
from core.ports import IdentityProviders, ProviderInfo

log = logging.getLogger("api.pages.providers")


@dataclass(frozen=True, slots=True)
class PendingLink:
    identity: ExternalIdentity
    user_id: uuid.UUID | None
    """Set when the person started linking from the account page; None when the identity's
    address belongs to an account that must be signed in to first."""


@dataclass(frozen=True, slots=True)
class ProviderKit:
    identities: IdentityProviders
    cookies: ProviderCookies
    public_base_url: str

    def info(self, name: str) -> ProviderInfo:
        """The provider named in the path; 404 for any other name."""
        info = self.identities.get(name)
        if info is None:
            raise falcon.HTTPNotFound(description="No such provider is configured here.")
        return info

    def redirect_uri(self, name: str) -> str:
        """Where the provider sends the person back: register exactly this with it."""
        return f"{self.public_base_url.rstrip('/')}/login/{name}/callback"

    def keep_pending(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        identity: ExternalIdentity,
        user_id: uuid.UUID | None,
    ) -> None:
        self.cookies.write(
            req,
            resp,
            LINK,
            {
                "p": identity.provider,
                "l": identity.label,
                "i": identity.issuer,
                "s": identity.subject,
                "m": identity.email,
                "v": identity.email_verified,
                "n": identity.preferred_username,
                "u": str(user_id) if user_id else None,
            },
        )

    def pending(self, req: falcon.Request) -> PendingLink | None:
        value = self.cookies.read(req, LINK)
        if value is None:
            return None
        identity = ExternalIdentity(
            provider=value["p"],
            label=value["l"],
            issuer=value["i"],
            subject=value["s"],
            email=value["m"],
            email_verified=value["v"],
            preferred_username=value["n"],
        )
        return PendingLink(identity, uuid.UUID(value["u"]) if value["u"] else None)

    def drop_pending(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.cookies.clear(req, resp, LINK)
