"""Mail over SMTP with aiosmtplib: one connection, reopened whenever it was lost."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from core.domain import MailRejected, MailServerUnavailable
from core.ports import Mail


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        timeout_seconds: float = 10.0,
        username: str | None = None,
        password: str | None = None,
        start_tls: bool = False,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._timeout = timeout_seconds
        self._login = (username, password) if username and password else None
        self._start_tls = start_tls
        self._client: aiosmtplib.SMTP | None = None
        self._lock = asyncio.Lock()

    async def send(self, mail: Mail) -> None:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Message-ID"] = mail.message_id
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message.set_content(mail.text)
        message.add_alternative(mail.html, subtype="html")
        async with self._lock:
            try:
                client = await self._connected()
                await client.send_message(message)
            except aiosmtplib.SMTPRecipientsRefused as error:
                raise MailRejected(f"recipients refused: {error.recipients}") from error
            except aiosmtplib.SMTPResponseException as error:
                if isinstance(error, aiosmtplib.SMTPConnectError):
                    await self._drop()
                    raise MailServerUnavailable(f"SMTP: {error}") from error
                raise MailRejected(f"SMTP {error.code}: {error.message}") from error
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
                # Lost or never made: the next send opens a new connection.
                await self._drop()
                raise MailServerUnavailable(f"SMTP {self._host}:{self._port}: {error!r}") from error

    async def close(self) -> None:
        async with self._lock:
            await self._drop()

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        client = aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            timeout=self._timeout,
            start_tls=self._start_tls,
        )
        await client.connect()
        if self._login:
            await client.login(*self._login)
        self._client = client
        return client

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()
