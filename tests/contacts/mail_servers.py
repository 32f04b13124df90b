"""Real mail servers on 127.0.0.1 for the mailbox tests: Dovecot for IMAP, aiosmtpd for SMTP.

``LocalIMAPServer`` runs Debian's dovecot (``apt-get install dovecot-imapd``) as a child process
with its own configuration in a temporary folder: plain-text log-in on a free port, users in
passwd file, their mail in maildirs. Messages arrive the way a mail client files them, by IMAP
APPEND. ``AuthSMTPServer`` is the mailing tests' SMTP server with log-in required.
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import warnings
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.marketing.smtp import LocalSMTPServer, free_port

DOVECOT_PATHS = ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"]


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next((path for path in DOVECOT_PATHS if os.access(path, os.X_OK)), None)


def _service_users() -> tuple[str, str, str, str]:
    """(internal user, its group, login user, mail user): dovecot refuses to run its parts as root."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(os.getgid()).gr_name
        return me, group, me, me
    return "dovecot", grp.getgrgid(pwd.getpwnam("dovecot").pw_gid).gr_name, "dovenull", "dovecot"


CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{root}/mail/%u
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 0
passdb {{
  driver = passwd-file
  # One file per user: dovecot reads a new file at once, a changed one only once a second.
  args = scheme=PLAIN username_format=%u {root}/users/%u
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


class LocalIMAPServer:
    host = "127.0.0.1"

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = free_port()
        # Not pytest's tmp_path: dovecot's own users must reach it, and that one is private to us.
        self.root = Path(tempfile.mkdtemp(prefix="crm-dovecot-"))
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> LocalIMAPServer:
        internal_user, internal_group, login_user, mail_user = _service_users()
        self.root.chmod(0o755)
        for folder in ("run", "state", "mail", "users"):
            (self.root / folder).mkdir()
        mail_pw = pwd.getpwnam(mail_user)
        os.chown(self.root / "mail", mail_pw.pw_uid, mail_pw.pw_gid)
        config = self.root / "dovecot.conf"
        config.write_text(
            CONFIG.format(
                root=self.root,
                port=self.port,
                internal_user=internal_user,
                internal_group=internal_group,
                login_user=login_user,
                mail_user=mail_pw.pw_uid,
                mail_group=mail_pw.pw_gid,
            )
        )
        self.process = subprocess.Popen(  # noqa: S603 — our own fixed arguments
            [self.binary, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        self._wait_until_listening()
        return self

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as probe:
                    if probe.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        log = (self.root / "dovecot.log").read_text() if (self.root / "dovecot.log").exists() else ""
        self.__exit__()
        raise RuntimeError(f"dovecot did not start on port {self.port}:\n{log}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process and self.process.stderr:
            self.process.stderr.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def add_user(self, address: str, password: str) -> None:
        users = self.root / "users" / address
        users.write_text(f"{address}:{{PLAIN}}{password}\n")
        users.chmod(0o644)

    def deliver(self, address: str, password: str, raw: bytes, folder: str = "INBOX") -> None:
        """File a message in the user's folder, as a mail client or delivery agent would."""
        connection = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            connection.login(address, password)
            if folder != "INBOX":
                connection.create(folder)
            typ, data = connection.append(folder, None, None, raw)
            assert typ == "OK", data
        finally:
            connection.logout()


def message(
    *,
    sender: str,
    to: list[str] | str,
    subject: str = "Hola",
    body: str = "Buenos días.",
    cc: list[str] | None = None,
    message_id: str | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
    date=None,
) -> bytes:
    """A raw email as a mail client would write it."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = ", ".join([to] if isinstance(to, str) else to)
    if cc:
        mail["Cc"] = ", ".join(cc)
    mail["Subject"] = subject
    mail["Message-ID"] = message_id or make_msgid(domain="cliente.example")
    if date is not None:
        mail["Date"] = format_datetime(date)
    mail.set_content(body)
    for name, content, content_type in attachments:
        maintype, subtype = content_type.split("/")
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return mail.as_bytes()


class PasswordChecker:
    def __init__(self) -> None:
        self.passwords: dict[str, str] = {}

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login, password = auth_data.login.decode(), auth_data.password.decode()
            if self.passwords.get(login) == password:
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


class AuthSMTPServer(LocalSMTPServer):
    """An SMTP server that wants a log-in (over plain text: it only listens on 127.0.0.1)."""

    def __init__(self) -> None:
        super().__init__()
        self.checker = PasswordChecker()
        # aiosmtpd warns about log-in without TLS; on 127.0.0.1 in a test that is the point.
        warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS", UserWarning)
        self.controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self.checker,
            auth_required=True,
            auth_require_tls=False,
        )

    def add_user(self, login: str, password: str) -> None:
        self.checker.passwords[login] = password
