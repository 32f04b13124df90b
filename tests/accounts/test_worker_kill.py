"""A real Celery worker on Redis is killed (SIGKILL) in the middle of sending the daily digest.

The task is acknowledged late, so Redis hands it to the next worker; the claim of the
notifications and the email share one transaction, so the dead worker's half-done claim is
rolled back with its connection. After the restart the digest arrives once, with everything.

Needs PostgreSQL (the worker is another process and must see the test's data) and Redis.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from crm import celery_app
from crm.accounts.models import Notification
from crm.accounts.services import notify
from tests.factories import UserFactory
from tests.marketing.smtp import LocalSMTPServer

pytestmark = [
    # Serialized like every transactional test here: its flush then leaves the content types
    # to the next test's restore instead of recreating them (a duplicate-key error).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL and Redis (DATABASE_URL and REDIS_URL)",
    ),
]

PROJECT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 2  # seconds before Redis gives the dead worker's task to another


def private_broker_url() -> str:
    """REDIS_URL on a database of its own: other tests clear the cache, which empties its database."""
    parts = urlsplit(settings.REDIS_URL)
    return urlunsplit(parts._replace(path="/15"))


class StallingFirstDelivery:
    """The first DATA hangs, as a slow mail server does, until the worker sending it is killed."""

    def __init__(self, handler) -> None:
        self.handler = handler
        self.sending = threading.Event()

    async def handle_RCPT(self, *args):
        return await self.handler.handle_RCPT(*args)

    async def handle_DATA(self, server, session, envelope):
        if not self.sending.is_set():
            self.sending.set()
            await asyncio.sleep(60)
            return "451 Too late"
        return await self.handler.handle_DATA(server, session, envelope)


def start_worker(queue: str, smtp_port: int, log: Path) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": private_broker_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "DEBUG": "false",
    }
    command = [sys.executable, "-m", "celery", "-A", "crm", "worker", "--pool=solo", "-Q", queue]
    command += ["--without-gossip", "--without-mingle", "--loglevel=WARNING"]
    with log.open("ab") as output:  # the child keeps its own copy of the file
        return subprocess.Popen(command, cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603 (our own command line)


def wait_for(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # sent for real, on purpose
def test_a_worker_killed_mid_task_loses_nothing_and_sends_nothing_twice(tmp_path):
    log = tmp_path / "worker.log"
    reader = UserFactory(email="lectora@example.com", email_frequency="daily")
    notify(recipient=reader, message="Te asignaron Panadería La Espiga")
    notify(recipient=reader, message="Licencia por vencer: Ferretería Central")
    queue = f"kill-test-{uuid.uuid4().hex[:8]}"
    workers: list[subprocess.Popen] = []

    with LocalSMTPServer() as smtp:
        stalling = StallingFirstDelivery(smtp.handler)
        smtp.controller.handler = stalling
        try:
            with celery_app.connection_for_write(private_broker_url()) as broker:
                celery_app.send_task(
                    "crm.accounts.tasks.email_daily_digest_task", queue=queue, connection=broker
                )
            workers.append(start_worker(queue, smtp.port, log))
            assert stalling.sending.wait(60), f"the first worker never started sending: {log.read_text()}"
            # Mid-task: the notifications are claimed in an open transaction, the email unsent.
            os.kill(workers[0].pid, signal.SIGKILL)
            workers[0].wait(10)
            assert smtp.messages == []

            workers.append(start_worker(queue, smtp.port, log))
            wait_for(
                lambda: smtp.messages, seconds=60, what=f"the digest after the restart: {log.read_text()}"
            )
            time.sleep(VISIBILITY_TIMEOUT + 3)  # time enough for a second delivery, if there were one
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.terminate()
                    worker.wait(20)

    [message] = smtp.messages
    body = message.get_content()
    assert message["To"] == "lectora@example.com"
    assert "Te asignaron Panadería La Espiga" in body
    assert "Licencia por vencer: Ferretería Central" in body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
