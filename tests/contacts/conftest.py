"""Fixtures of the customer hub's tests: real IMAP and SMTP servers for the mailbox tests."""

from __future__ import annotations

import uuid

import pytest

from contacts.mail.models import Mailbox, Security
from contacts.mail.secrets import encrypt_password
from tests.contacts.mail_servers import AuthSMTPServer, LocalIMAPServer, dovecot_binary


@pytest.fixture(scope="session")
def imap_server():
    """Dovecot on a free port for the whole run; skipped where dovecot is not installed."""
    binary = dovecot_binary()
    if binary is None:
        pytest.skip("dovecot is not installed (Debian: apt-get install dovecot-imapd); IMAP tests need it")
    with LocalIMAPServer(binary) as server:
        yield server


@pytest.fixture
def smtp_server():
    with AuthSMTPServer() as server:
        yield server


@pytest.fixture
def connect_mailbox(imap_server, smtp_server):
    """``connect_mailbox(user)``: a new address on both servers, connected as ``user``'s mailbox."""

    def connect(user, *, address: str | None = None, password: str = "app-pass-123", **fields) -> Mailbox:  # noqa: S107
        address = address or f"{user.username}.{uuid.uuid4().hex[:8]}@empresa.example"
        imap_server.add_user(address, password)
        smtp_server.add_user(address, password)
        values = {
            "user": user,
            "email_address": address,
            "username": address,
            "password_encrypted": encrypt_password(password),
            "imap_host": imap_server.host,
            "imap_port": imap_server.port,
            "imap_security": Security.NONE,
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_server.port,
            "smtp_security": Security.NONE,
            **fields,
        }
        mailbox = Mailbox.objects.create(**values)
        mailbox.password = password  # for delivering test mail as its owner
        return mailbox

    return connect


@pytest.fixture
def deliver(imap_server):
    """``deliver(mailbox, raw)``: a message arrives in the mailbox's inbox."""

    def deliver_to(mailbox: Mailbox, raw: bytes, folder: str = "INBOX") -> None:
        imap_server.deliver(mailbox.username, mailbox.password, raw, folder=folder)

    return deliver_to
