"""Browser sign-in: the session cookie, and the core handlers that start, read and end it.

The cookie holds the refresh token of a sign-in (with the password, or a passkey), the same
token family API clients get, so a browser session is listed, expires and ends like any other
sign-in (see GetSessionUserHandler for why pages do not rotate it). It is HttpOnly (no script
reads it), SameSite=Lax (other sites' forms and fetches do not carry it) and, unless
PUBLIC_BASE_URL is a plain-HTTP address of this machine, Secure with the `__Host-` prefix (sent
over HTTPS only, and no subdomain can set or overwrite it). The access token a sign-in also
makes is never sent.
"""

from __future__ import annotations

from datetime import UTC, datetime

import falcon

from api.auth import client_address
from core.domain import Unauthenticated, User
from core.mfa.complete_sign_in import CompleteSignIn, CompleteSignInHandler
from core.passkeys.ceremony import PasskeyAnswer
from core.passkeys.sign_in import SignInWithPasskey, SignInWithPasskeyHandler
from core.sessions.session_user import GetSessionUser, GetSessionUserHandler, SignedIn
from core.tokens.issue_access_token import IssueAccessToken, IssueAccessTokenHandler
from core.tokens.issued import IssuedTokens
from core.tokens.revoke_refresh_token import RevokeRefreshToken, RevokeRefreshTokenHandler

_LONG_AGO = datetime(1970, 1, 1, tzinfo=UTC)


class Cookies:
    """The pages' cookies: their names and the attributes every one of them is set with."""

    def __init__(self, secure: bool) -> None:
        self.secure = secure
        prefix = "__Host-" if secure else ""
        self.session = f"{prefix}session"
        self.browser = f"{prefix}browser"

    def get(self, req: falcon.Request, name: str) -> str | None:
        values = req.get_cookie_values(name)
        return values[0] if values else None

    def set(self, resp: falcon.Response, name: str, value: str, max_age: int | None) -> None:
        resp.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            secure=self.secure,
            http_only=True,
            same_site="Lax",
        )

    def clear(self, resp: falcon.Response, name: str) -> None:
        # Falcon's unset_cookie leaves out Secure, without which a browser ignores the removal
        # of a __Host- cookie; and set_cookie drops a Max-Age of 0, hence the date long past.
        resp.set_cookie(
            name,
            "",
            expires=_LONG_AGO,
            path="/",
            secure=self.secure,
            http_only=True,
            same_site="Lax",
        )


class Sessions:
    """Sign in, find the signed-in user, sign out: the core handlers the API uses, with the
    refresh token kept in the session cookie."""

    def __init__(
        self,
        cookies: Cookies,
        *,
        session_user: GetSessionUserHandler,
        sign_in: IssueAccessTokenHandler,
        complete_sign_in: CompleteSignInHandler,
        passkey_sign_in: SignInWithPasskeyHandler,
        sign_out: RevokeRefreshTokenHandler,
    ) -> None:
        self._cookies = cookies
        self._session_user = session_user
        self._sign_in = sign_in
        self._complete_sign_in = complete_sign_in
        self._passkey_sign_in = passkey_sign_in
        self._sign_out = sign_out

    async def user(self, req: falcon.Request, resp: falcon.Response) -> User | None:
        """The signed-in user, or None; a cookie whose session has ended is removed."""
        signed_in = await self.current(req, resp)
        return signed_in.user if signed_in is not None else None

    async def current(self, req: falcon.Request, resp: falcon.Response) -> SignedIn | None:
        """The browser's session and its user, or None; a cookie whose session has ended is
        removed."""
        secret = self._cookies.get(req, self._cookies.session)
        if not secret:
            return None
        try:
            return await self._session_user(GetSessionUser(secret))
        except Unauthenticated:
            self.end(resp)
            return None

    async def sign_in(
        self, req: falcon.Request, resp: falcon.Response, login: str, password: str
    ) -> IssuedTokens:
        """Check the password as the API's sign-in does (lockout by client address included)
        and keep the new session's refresh token in the cookie. An account with two-step sign-in
        raises SecondFactorRequired: `complete_sign_in` takes it from there."""
        command = IssueAccessToken(login, password, client_address(req), req.user_agent)
        issued = await self._sign_in(command)
        await self.start(req, resp, issued)
        return issued

    async def complete_sign_in(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        mfa_token: str,
        code: str | None,
        recovery_code: str | None,
        passkey: PasskeyAnswer | None = None,
    ) -> IssuedTokens:
        """The second step (a code, a recovery code or a passkey), as the API's (lockout
        included); then as `sign_in`."""
        command = CompleteSignIn(
            mfa_token, code, recovery_code, client_address(req), req.user_agent, passkey
        )
        issued = await self._complete_sign_in(command)
        await self.start(req, resp, issued)
        return issued

    async def sign_in_with_passkey(
        self, req: falcon.Request, resp: falcon.Response, answer: PasskeyAnswer
    ) -> IssuedTokens:
        """A passkey alone, as the API's sign-in with one (lockout included); then as
        `sign_in`."""
        command = SignInWithPasskey(
            answer.challenge_id, answer.credential, client_address(req), req.user_agent
        )
        issued = await self._passkey_sign_in(command)
        await self.start(req, resp, issued)
        return issued

    async def start(self, req: falcon.Request, resp: falcon.Response, issued: IssuedTokens) -> None:
        """Keep a sign-in's refresh token in the cookie (a password's, a passkey's, a second
        step's, or a provider's). A session the browser had before is signed out: nothing would
        present its token again."""
        if previous := self._cookies.get(req, self._cookies.session):
            await self._sign_out(RevokeRefreshToken(previous, client_address(req), req.user_agent))
        self._cookies.set(
            resp, self._cookies.session, issued.refresh_token, issued.refresh_expires_in
        )

    async def holder(self, issued: IssuedTokens) -> User:
        """The user a sign-in just made speaks for."""
        return (await self._session_user(GetSessionUser(issued.refresh_token))).user

    async def sign_out(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Revoke the session's token family, and forget the cookie."""
        secret = self._cookies.get(req, self._cookies.session)
        if secret:
            await self._sign_out(RevokeRefreshToken(secret, client_address(req), req.user_agent))
        self.end(resp)

    def end(self, resp: falcon.Response) -> None:
        """Forget the cookie of a session the server has ended already."""
        self._cookies.clear(resp, self._cookies.session)
