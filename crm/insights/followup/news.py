"""The news rule: each period, one draft mailing per economic activity, for marketing to review.

A mailing's recipients are its campaign's members when marketing sends it (see
``marketing.mailing.queue_mailing``), so the rule makes a campaign and a draft mailing per
activity and period, and adds each customer with an email address who has not opted out
as a member, once per period. Marketing reviews, edits and sends it like any other
mailing; once it has been sent, customers who qualify later wait for the next period.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from contacts.models import Customer, EconomicActivity
from crm.accounts.models import User
from crm.accounts.roles import Role
from crm.accounts.services import notify
from crm.insights.followup.keys import insert_keys
from crm.insights.followup.models import FollowUp, FollowUpMailing, FollowUpRule, FollowUpRun
from crm.insights.followup.periods import period_end, period_key, period_label, period_start
from marketing.models import Campaign, CampaignMember, EmailOptOut, Mailing


def fill_mailings(rule: FollowUpRule, run: FollowUpRun) -> int:
    """Add this period's new readers to their activity's draft mailing; returns how many were added."""
    key = period_key(run.as_of, rule.interval_months)
    readers = (
        Customer.objects.filter(economic_activity__isnull=False)
        .exclude(email="")
        .exclude(lifecycle_stage=Customer.Stage.LOST)
        .exclude(Exists(EmailOptOut.objects.filter(customer=OuterRef("pk"))))
        .exclude(Exists(FollowUp.objects.filter(rule=rule, customer=OuterRef("pk"), period_key=key)))
    )
    rows = list(readers.values_list("pk", "economic_activity_id"))
    if not rows:
        return 0
    mailings, created = _draft_mailings(rule, run.as_of, key, {activity for _pk, activity in rows})
    mailing_of = {pk: mailings[activity] for pk, activity in rows if activity in mailings}
    new = insert_keys(
        rule, run, [(pk, key) for pk in mailing_of], mailing_of={pk: m.pk for pk, m in mailing_of.items()}
    )
    members = [
        CampaignMember(campaign_id=mailing_of[customer_id].campaign_id, customer_id=customer_id)
        for customer_id, _key in new
    ]
    # Marketing may have added some of them by hand already.
    CampaignMember.objects.bulk_create(members, batch_size=1000, ignore_conflicts=True)
    if created:
        _tell_marketing(rule, created)
    return len(new)


def _draft_mailings(
    rule: FollowUpRule, today: date, key: str, activity_ids: set[int]
) -> tuple[dict[int, Mailing], int]:
    """{activity id: the period's mailing, still a draft}, making the missing ones; and how many were made."""
    known = {
        row.economic_activity_id: row
        for row in FollowUpMailing.objects.filter(
            rule=rule, period_key=key, economic_activity_id__in=activity_ids
        ).select_related("mailing")
    }
    created = 0
    for activity in EconomicActivity.objects.filter(pk__in=activity_ids - known.keys()):
        known[activity.pk], made = _make_mailing(rule, today, key, activity)
        created += made
    drafts = {
        activity_id: row.mailing
        for activity_id, row in known.items()
        if row.mailing is not None and row.mailing.status == Mailing.Status.DRAFT and row.mailing.campaign_id
    }
    return drafts, created


def _make_mailing(
    rule: FollowUpRule, today: date, key: str, activity: EconomicActivity
) -> tuple[FollowUpMailing, bool]:
    with translation.override(settings.LANGUAGE_CODE):
        name = f"{rule.display_name} · {activity.name} · {period_label(today, rule.interval_months)}"[:200]
        description = gettext(
            "Customers of this economic activity, added by the follow-up rule “%(rule)s”."
        ) % {"rule": rule.display_name}
        subject, body = gettext(rule.mailing_subject), gettext(rule.mailing_body)
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                name=name,
                channel=Campaign.Channel.EMAIL,
                status=Campaign.Status.PLANNED,
                start_date=period_start(today, rule.interval_months),
                end_date=period_end(today, rule.interval_months),
                description=description,
            )
            mailing = Mailing.objects.create(name=name, campaign=campaign, subject=subject, body=body)
            row = FollowUpMailing.objects.create(
                rule=rule, economic_activity=activity, period_key=key, campaign=campaign, mailing=mailing
            )
    except IntegrityError:
        # Another run made it a moment ago: use theirs.
        return FollowUpMailing.objects.select_related("mailing").get(
            rule=rule, economic_activity=activity, period_key=key
        ), False
    return row, True


def _tell_marketing(rule: FollowUpRule, created: int) -> None:
    """One notification per marketing user: how many new drafts await their review."""
    url = reverse("marketing:campaign_list")
    for user in User.objects.filter(is_active=True, groups__name=Role.MARKETING).distinct():
        with translation.override(user.language or settings.LANGUAGE_CODE):
            message = ngettext(
                "%(rule)s: %(count)s new draft mailing to review and send.",
                "%(rule)s: %(count)s new draft mailings to review and send.",
                created,
            ) % {
                "rule": rule.display_name,
                "count": created,
            }
        notify(recipient=user, message=message, url=url)
