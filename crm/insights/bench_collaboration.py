"""Speed figures of messages, comments and the calendar for ``make bench``.

On the bench's 100,000 customers, as the demo rep (``ventas``, whose 150,000 activities
make the heaviest calendar) and the manager (``gerente``, who opens the rep's team calendar).
Conversations, messages and comments are made for the run and rolled back; the reminder job
is timed at a moment with visits about to start, also rolled back.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from contacts.models import Activity, Customer, Task
from crm.accounts import feed_tokens, messaging
from crm.accounts.comments import post_comment
from crm.accounts.models import Message, User
from crm.insights.bench import BenchError, Timing, explain_analyze, logged_in_client, measure
from crm.insights.calendar.entries import APPOINTMENTS
from crm.insights.calendar.reminders import send_visit_reminders

GOAL_P50_MS = 100.0
COLLEAGUES = 30  # direct conversations of the rep
MESSAGES_EACH = 20
TEAM_MESSAGES = 500
COMMENTS = 100
# The bench's rep who sees 1,000 customers, given an ordinary month for the calendar.
ORDINARY_REP = "bench1000"
REALISTIC_SEED = 7


class _Rollback(Exception):
    pass


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise BenchError(f"No user {username}: run seed_demo first.")
    return user


def _conversations(rep: User) -> tuple[int, int]:
    """The rep's direct conversations and team conversation, filled; (team conversation id, messages)."""
    colleagues = list(User.objects.filter(is_active=True).exclude(pk=rep.pk)[:COLLEAGUES])
    now = timezone.now()
    rows = []
    for colleague in colleagues:
        conversation = messaging.start_direct_conversation(user=rep, other=colleague)
        rows += [
            Message(conversation=conversation, author=colleague, body=f"Mensaje {n}", created_at=now)
            for n in range(MESSAGES_EACH)
        ]
    team = messaging.join_team_conversation(user=rep)
    rows += [
        Message(conversation=team, author=colleagues[n % len(colleagues)], body=f"Equipo {n}", created_at=now)
        for n in range(TEAM_MESSAGES)
    ]
    Message.objects.bulk_create(rows)
    messaging.post_message(conversation=team, author=rep, body="Último")
    return team.pk, len(rows) + 1


def _ordinary_month(user: User) -> None:
    """A plausible rep's month: 100 visits and meetings and 150 open tasks around today."""
    customers = list(Customer.objects.filter(owner=user)[:200])
    if not customers:
        raise BenchError(f"{user.username} owns no customers: run the bench's fixtures first.")
    rng = random.Random(REALISTIC_SEED)  # noqa: S311 - bench data, repeatable on purpose
    now, today = timezone.now(), timezone.localdate()
    Activity.objects.bulk_create(
        Activity(
            customer=rng.choice(customers),
            user=user,
            kind=rng.choice(APPOINTMENTS),
            subject=f"Visita {n}",
            occurred_at=now + timedelta(hours=rng.randint(-400, 400)),
        )
        for n in range(100)
    )
    Task.objects.bulk_create(
        Task(
            customer=rng.choice(customers),
            assignee=user,
            title=f"Tarea {n}",
            due_date=today + timedelta(days=rng.randint(-17, 17)),
        )
        for n in range(150)
    )


def _pages(rep: User, team_conversation: int, customer: Customer) -> list[tuple[str, str, str]]:
    calendar = reverse("insights:calendar")
    token = feed_tokens.issue_calendar_feed_token(user=rep).token
    comments = reverse("accounts:comments", args=["contacts", "customer", customer.pk])
    return [
        ("Messages: conversation list", "ventas", reverse("accounts:conversations")),
        ("Messages: team conversation", "ventas", reverse("accounts:conversation", args=[team_conversation])),
        ("Messages: navbar unread count", "ventas", reverse("accounts:message_badge")),
        (f"Comments on a customer ({COMMENTS})", "ventas", comments),
        ("Calendar: month, own", "ventas", calendar),
        ("Calendar: week, own", "ventas", calendar + "?view=week"),
        ("Calendar: month, the rep's team", "gerente", calendar + f"?show=team-{rep.team_id}"),
        ("Calendar: month, 100 visits and 150 tasks", ORDINARY_REP, calendar),
        ("Calendar: week, same rep", ORDINARY_REP, calendar + "?view=week"),
        (
            "Calendar: ICS feed (a month back, a year ahead)",
            "ventas",
            reverse("insights:calendar_feed", args=[token]),
        ),
    ]


def _poll_timing(client, team_conversation: int, *, requests: int) -> tuple[float, int]:
    """p50 ms and queries of an open conversation's poll when nothing is new (answered 204)."""
    last = (
        Message.objects.filter(conversation_id=team_conversation)
        .order_by("-pk")
        .values_list("pk", flat=True)[0]
    )
    url = reverse("accounts:conversation_new_messages", args=[team_conversation]) + f"?after={last}"
    seconds = []
    for _index in range(requests):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        seconds.append(time.perf_counter() - started)
        if response.status_code != 204:
            raise BenchError(f"{url} answered {response.status_code}, expected 204.")
    with CaptureQueriesContext(connection) as queries:
        client.get(url, secure=True)
    return statistics.median(seconds) * 1000, len(queries)


def _reminder_run(rep: User) -> tuple[int, float, str]:
    """Time the reminder job with a visit starting soon; (sent, seconds, plan of its query)."""
    customer = Customer.objects.filter(owner=rep).first()
    Activity.objects.create(
        customer=customer,
        user=rep,
        kind=Activity.Kind.VISIT,
        subject="Bench",
        occurred_at=timezone.now() + timedelta(minutes=30),
    )
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        sent = send_visit_reminders()
        seconds = time.perf_counter() - started
    return sent, seconds, explain_analyze(queries.captured_queries[0]["sql"])


def report(say: Callable[[str], None], *, requests: int, warmup: int) -> None:
    static_files = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    rep, manager = _user("ventas"), _user("gerente")
    say("")
    say(
        f"Messages, comments and calendar (rolled back): {COLLEAGUES} conversations x {MESSAGES_EACH} "
        f"messages and a team conversation of {TEAM_MESSAGES}; goal p50 < {GOAL_P50_MS:.0f} ms"
    )
    header = f"{'page':<52} {'as':<9} {'p50 ms':>7} {'p95 ms':>7} {'pages/s':>8} {'queries':>7}  goal"
    try:
        with override_settings(STORAGES=static_files), transaction.atomic():
            team_conversation, messages = _conversations(rep)
            customer = Customer.objects.filter(owner=rep).first()
            for number in range(COMMENTS):
                post_comment(record=customer, author=manager, body=f"@ventas comentario {number}")
            say(f"({messages:,} messages made)")
            say(header)
            say("-" * len(header))
            ordinary = _user(ORDINARY_REP)
            _ordinary_month(ordinary)
            clients = {
                "ventas": logged_in_client(rep),
                "gerente": logged_in_client(manager),
                ORDINARY_REP: logged_in_client(ordinary),
            }
            for label, username, url in _pages(rep, team_conversation, customer):
                timing: Timing = measure(clients[username], url, requests=requests, warmup=warmup)
                verdict = "ok" if timing.p50_ms < GOAL_P50_MS else "MISSED"
                say(
                    f"{label:<52} {username:<9} {timing.p50_ms:>7.1f} {timing.p95_ms:>7.1f} "
                    f"{timing.pages_per_second:>8.0f} {timing.queries:>7}  {verdict}"
                )
            poll_ms, poll_queries = _poll_timing(clients["ventas"], team_conversation, requests=requests)
            verdict = "ok" if poll_ms < GOAL_P50_MS else "MISSED"
            label = "Messages: poll of an open conversation, nothing new"
            say(f"{label:<52} {'ventas':<9} {poll_ms:>7.1f} {'':>7} {'':>8} {poll_queries:>7}  {verdict}")
            sent, seconds, plan = _reminder_run(rep)
            say("")
            say(
                f"Visit reminders, one run over {Activity.objects.count():,} activities: "
                f"{sent} sent in {seconds * 1000:.1f} ms"
            )
            say(plan)
            raise _Rollback
    except _Rollback:
        pass
