"""Mail over SMTP with aiosmtplib: a bounded pool of connections, each opened when first needed
and opened again after it broke."""

from __future__ import annotations

import asyncio
import uuid
from email.charset import QP, Charset
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr

import aiosmtplib

from core.domain import MailRejected, MailServerUnavailable
from core.ports import Mail


class SmtpMailer:
    """Sends over at most `connections` connections at once; further senders wait for one."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        connections: int = 1,
        timeout_seconds: float = 10.0,
        username: str | None = None,
        password: str | None = None,
        start_tls: bool = False,
    ) -> None:
        self._host = host
        self._port = port
        # Encoded once: a display name that is not ASCII becomes an RFC 2047 word, the address
        # stays as it is.
        name, self._envelope_sender = parseaddr(sender)
        self._sender = formataddr((name, self._envelope_sender), charset="utf-8")
        self._timeout = timeout_seconds
        self._login = (username, password) if username and password else None
        self._start_tls = start_tls
        # A slot is a connection, or None where none is open yet (or the last one broke).
        # Last in, first out: under light load one warm connection does all the work.
        self._slots: asyncio.LifoQueue[aiosmtplib.SMTP | None] = asyncio.LifoQueue()
        for _ in range(connections):
            self._slots.put_nowait(None)
        self._size = connections

    async def send(self, mail: Mail) -> None:
        message = _message(self._sender, mail)
        client = await self._slots.get()
        try:
            client = await self._connected(client)
            # The envelope given, so that the headers need not be parsed back.
            await client.send_message(message, sender=self._envelope_sender, recipients=[mail.to])
        except aiosmtplib.SMTPRecipientsRefused as error:
            raise MailRejected(f"recipients refused: {error.recipients}") from error
        except aiosmtplib.SMTPResponseException as error:
            if isinstance(error, aiosmtplib.SMTPConnectError):
                await _closed(client)
                client = None
                raise MailServerUnavailable(f"SMTP: {error}") from error
            raise MailRejected(f"SMTP {error.code}: {error.message}") from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            # Lost or never made: the next send over this slot opens a new connection.
            await _closed(client)
            client = None
            raise MailServerUnavailable(f"SMTP {self._host}:{self._port}: {error!r}") from error
        except asyncio.CancelledError:
            # Cancelled mid-conversation: the connection's state is unknown, never reuse it.
            if client is not None:
                client.close()
            client = None
            raise
        finally:
            self._slots.put_nowait(client)

    async def close(self) -> None:
        """Close every connection, waiting for those in use to be handed back."""
        for _ in range(self._size):
            await _closed(await self._slots.get())
        for _ in range(self._size):
            self._slots.put_nowait(None)

    async def _connected(self, client: aiosmtplib.SMTP | None) -> aiosmtplib.SMTP:
        if client is not None and client.is_connected:
            return client
        client = aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            timeout=self._timeout,
            start_tls=self._start_tls,
        )
        await client.connect()
        if self._login:
            try:
                await client.login(*self._login)
            except BaseException:
                client.close()
                raise
        return client


# Bodies in UTF-8, quoted-printable: any server takes them and the source stays readable.
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP


def _message(sender: str, mail: Mail) -> MIMEMultipart:
    """The mail as multipart/alternative, plain text then HTML. Built with the compat32 classes,
    which cost a quarter of the CPU of EmailMessage's header parsing and refolding: building the
    message was most of the consumer's work per mail. A header value that is not ASCII becomes
    an RFC 2047 encoded word."""
    # A boundary chosen here spares the generator a regular expression made for each mail
    # to check that its random one is not in the text: "=_" never is in quoted-printable.
    message = MIMEMultipart("alternative", boundary=f"=_{uuid.uuid4().hex}")
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = mail.message_id
    message["Date"] = formatdate(usegmt=True)
    message.attach(MIMEText(mail.text, "plain", _UTF8))  # type: ignore[arg-type]
    message.attach(MIMEText(mail.html, "html", _UTF8))  # type: ignore[arg-type]
    return message


async def _closed(client: aiosmtplib.SMTP | None) -> None:
    """Say goodbye if the connection still works, drop it otherwise."""
    if client is not None and client.is_connected:
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            client.close()
