"""SmtpMailer against a small SMTP server in the test's own loop that keeps what it received,
counts connections and can cut them."""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import AsyncIterator

import pytest

from adapters.smtp import SmtpMailer
from core.ports import Mail


class CountingSmtpServer:
    """Just enough SMTP for aiosmtplib to deliver; remembers Message-IDs and connections."""

    def __init__(self) -> None:
        self.message_ids: list[str] = []
        self.received: list[bytes] = []
        self.connections = 0
        self.open: set[asyncio.StreamWriter] = set()
        self.most_open = 0
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.port = int(self.server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        self.cut_all()
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    def cut_all(self) -> None:
        for writer in list(self.open):
            writer.close()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open.add(writer)
        self.most_open = max(self.most_open, len(self.open))
        try:
            writer.write(b"220 test ESMTP\r\n")
            while line := await reader.readline():
                command = line.decode().strip().upper()
                if command.startswith(("EHLO", "HELO")):
                    writer.write(b"250 test\r\n")
                elif command == "DATA":
                    writer.write(b"354 go ahead\r\n")
                    await writer.drain()
                    data = await reader.readuntil(b"\r\n.\r\n")
                    self.received.append(data[: -len(b".\r\n")])
                    await asyncio.sleep(0.01)  # a server takes a moment to accept a mail
                    for header in data.decode().splitlines():
                        if header.lower().startswith("message-id:"):
                            self.message_ids.append(header.split(":", 1)[1].strip())
                    writer.write(b"250 queued\r\n")
                elif command == "QUIT":
                    writer.write(b"221 bye\r\n")
                    await writer.drain()
                    break
                else:  # MAIL FROM, RCPT TO, RSET, NOOP
                    writer.write(b"250 ok\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self.open.discard(writer)
            writer.close()


@pytest.fixture
async def smtp() -> AsyncIterator[CountingSmtpServer]:
    server = CountingSmtpServer()
    await server.start()
    yield server
    await server.stop()


def _mail(n: int) -> Mail:
    return Mail(f"user{n}@example.com", "Hello", "text", "<p>html</p>", f"<{n}.test@accounts>")


async def test_concurrent_mails_share_a_bounded_number_of_connections(
    smtp: CountingSmtpServer,
) -> None:
    mailer = SmtpMailer("127.0.0.1", smtp.port, "no-reply@example.com", connections=3)
    await asyncio.gather(*(mailer.send(_mail(n)) for n in range(30)))
    assert sorted(smtp.message_ids) == sorted(f"<{n}.test@accounts>" for n in range(30))
    assert smtp.connections == 3  # opened once each, then reused
    assert smtp.most_open == 3
    await mailer.close()
    assert not smtp.open


async def test_a_broken_connection_is_replaced(smtp: CountingSmtpServer) -> None:
    mailer = SmtpMailer("127.0.0.1", smtp.port, "no-reply@example.com", connections=2)
    await asyncio.gather(*(mailer.send(_mail(n)) for n in range(4)))
    smtp.cut_all()
    await asyncio.sleep(0.05)
    await asyncio.gather(*(mailer.send(_mail(n)) for n in range(4, 8)))
    assert len(smtp.message_ids) == 8
    assert smtp.connections == 4
    await mailer.close()


async def test_the_mail_reads_as_written(smtp: CountingSmtpServer) -> None:
    text = "Hello Zoë,\n\n" + "a line longer than any mail server would like to carry " * 4 + "\n"
    mail = Mail("zoe@example.com", "Grüße, Zoë", text, "<p>Hello <b>Zoë</b></p>", "<1.t@accounts>")
    mailer = SmtpMailer("127.0.0.1", smtp.port, "Accounts Über <no-reply@example.com>")
    await mailer.send(mail)
    await mailer.close()
    (raw,) = smtp.received
    assert max(len(line) for line in raw.splitlines()) <= 78
    # As a mail program stores it: with its own line ends.
    received = email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=email.policy.default)
    assert received["From"].addresses[0].display_name == "Accounts Über"
    assert received["From"].addresses[0].addr_spec == "no-reply@example.com"
    assert received["To"] == "zoe@example.com"
    assert received["Subject"] == "Grüße, Zoë"
    assert received["Message-ID"] == "<1.t@accounts>"
    assert received["Date"].datetime is not None
    assert received.get_content_type() == "multipart/alternative"
    assert received.get_body(("plain",)).get_content() == text
    assert received.get_body(("html",)).get_content() == "<p>Hello <b>Zoë</b></p>"
