"""The daily evaluation of the follow-up rules: each fires once per customer and period.

For each active rule, in one transaction: find who it is due for (``candidates``), insert
their keys with ``INSERT ... ON CONFLICT DO NOTHING``, read back the keys this run inserted,
and create the tasks (and alerts) for those only. A second run, or two runs at once, find
every key already there and do nothing more.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import dateformat, formats, timezone, translation
from django.utils.translation import gettext

from contacts.models import Customer, Task
from crm.accounts.models import User
from crm.accounts.services import notify
from crm.insights.followup import candidates, news
from crm.insights.followup.candidates import Candidate, SegmentLabel
from crm.insights.followup.keys import BATCH_SIZE, insert_keys, link_tasks
from crm.insights.followup.models import FollowUpRule, FollowUpRun


def run_rules(*, as_of: date | None = None) -> FollowUpRun:
    """Evaluate every active rule as of ``as_of`` (today by default); returns the run's record."""
    today = as_of or timezone.localdate()
    run = FollowUpRun.objects.create(as_of=today, started_at=timezone.now())
    fired = {}
    for rule in FollowUpRule.objects.filter(is_active=True).order_by("pk"):
        with transaction.atomic():
            fired[str(rule.pk)] = evaluate_rule(rule, run)
    run.fired = fired
    run.finished_at = timezone.now()
    run.save(update_fields=["fired", "finished_at"])
    return run


def evaluate_rule(rule: FollowUpRule, run: FollowUpRun) -> int:
    """Fire ``rule`` for everyone it is due for and not yet fired; returns how many are new."""
    if rule.kind == FollowUpRule.Kind.NEWS_BY_ACTIVITY:
        return news.fill_mailings(rule, run)
    due = {(c.customer_id, c.period_key): c for c in candidates.FINDERS[rule.kind](rule, run.as_of)}
    new = insert_keys(rule, run, due)
    if not new:
        return 0
    tasks = _tasks_for(rule, run.as_of, [due[key] for key in new])
    Task.objects.bulk_create(tasks, batch_size=BATCH_SIZE)
    link_tasks([(new[key], task.pk) for key, task in zip(new, tasks, strict=True)])
    if rule.alert_owner:
        _alert_owners(rule, [due[key] for key in new], tasks)
    return len(new)


class _Titles:
    """The rule's task title and note in each owner's language, with dates in its format."""

    def __init__(self, rule: FollowUpRule) -> None:
        self.rule = rule
        self._by_language: dict[str, tuple[str, str, str]] = {}

    def _texts(self, language: str) -> tuple[str, str, str]:
        if language not in self._by_language:
            with translation.override(language):
                self._by_language[language] = (
                    gettext(self.rule.task_title),
                    gettext("Created by the follow-up rule “%(rule)s”.") % {"rule": self.rule.display_name},
                    formats.get_format("SHORT_DATE_FORMAT", lang=language),
                )
        return self._by_language[language]

    def render(self, candidate: Candidate) -> tuple[str, str]:
        language = candidate.language or settings.LANGUAGE_CODE
        title, note, date_format = self._texts(language)
        values = {}
        with translation.override(language):
            for name, value in candidate.values.items():
                if isinstance(value, date):
                    value = dateformat.format(value, date_format)
                elif isinstance(value, SegmentLabel):
                    value = gettext(value)
                elif value is None:
                    value = "—"
                values[name] = value
        return title.format(**values)[:200], note


def _tasks_for(rule: FollowUpRule, today: date, due: list[Candidate]) -> list[Task]:
    titles = _Titles(rule)
    due_date = today + timedelta(days=rule.due_in_days)
    tasks = []
    for candidate in due:
        title, note = titles.render(candidate)
        expires_on = candidate.values.get("expires_on")
        tasks.append(
            Task(
                customer_id=candidate.customer_id,
                assignee_id=candidate.owner_id,
                title=title,
                notes=note,
                due_date=min(due_date, expires_on) if expires_on else due_date,
            )
        )
    return tasks


def _alert_owners(rule: FollowUpRule, due: list[Candidate], tasks: list[Task]) -> None:
    """One notification per new task, in the owner's language, linking to the customer."""
    owners = User.objects.in_bulk({candidate.owner_id for candidate in due})
    customers = Customer.objects.only("legal_name", "trade_name").in_bulk([c.customer_id for c in due])
    for candidate, task in zip(due, tasks, strict=True):
        owner, customer = owners[candidate.owner_id], customers[candidate.customer_id]
        with translation.override(owner.language or settings.LANGUAGE_CODE):
            message = gettext("%(customer)s: %(title)s") % {"customer": customer, "title": task.title}
        notify(recipient=owner, message=message, url=customer.get_absolute_url())
