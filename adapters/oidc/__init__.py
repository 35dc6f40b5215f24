"""Sign-in through outside providers: OpenID Connect issuers found by discovery, and GitHub."""
