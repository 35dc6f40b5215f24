"""Sign-in through outside providers: OpenID Connect issuers found by discovery, and GitHub."""

import warnings

from authlib.deprecate import AuthlibDeprecationWarning

# authlib's httpx integration prefers the httpx2 package and, finding only httpx (the client
# this service uses everywhere), says so once on import: on stderr, outside the JSON logs. It
# still works with httpx; the notice tells the operator nothing they can act on.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    import authlib.integrations.httpx_client  # noqa: F401
