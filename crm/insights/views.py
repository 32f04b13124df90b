"""The managers' value-scoring (RFM) page: the rules, the current snapshot, recompute, CSV."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.accounts.permissions import role_required
from crm.accounts.roles import Role
from crm.insights.models import RfmSettings, RfmSnapshot, SegmentRule
from crm.insights.rfm import export, reports
from crm.insights.tasks import score_customers_task

SUPERVISORS = (Role.MANAGER, Role.ADMIN)
RECENT_SNAPSHOTS = 10
# A run takes seconds; one unpublished for longer than this has died (it is cleaned up later).
RUNNING_AT_MOST = timedelta(minutes=30)


@role_required(*SUPERVISORS)
def rfm_overview(request):
    rules = list(SegmentRule.objects.order_by("priority", "pk"))
    names = {rule.slug: rule.display_label for rule in rules}
    snapshot = reports.current_snapshot()
    context = {
        "config": RfmSettings.load(),
        "rules": rules,
        "snapshot": snapshot,
        "segments": reports.segment_counts(snapshot, rules) if snapshot else [],
        "movements": reports.movements(snapshot, names) if snapshot else [],
        "recent": RfmSnapshot.objects.latest_first()[:RECENT_SNAPSHOTS],
        "running": RfmSnapshot.objects.filter(
            is_complete=False, started_at__gte=timezone.now() - RUNNING_AT_MOST
        ).exists(),
        "currency": settings.CRM_CURRENCY,
    }
    return render(request, "insights/rfm.html", context)


@require_POST
@role_required(*SUPERVISORS)
def rfm_recompute(request):
    user_id = request.user.pk
    transaction.on_commit(
        lambda: score_customers_task.delay(trigger=RfmSnapshot.Trigger.MANUAL, requested_by_id=user_id)
    )
    messages.success(request, _("Scoring has started; the new figures show here when it is done."))
    return redirect("insights:rfm")


@role_required(*SUPERVISORS)
def rfm_export(request):
    snapshot = reports.current_snapshot()
    if snapshot is None:
        messages.warning(request, _("There are no scores to download yet: recompute them first."))
        return redirect("insights:rfm")
    lines = export.csv_lines(export.snapshot_rows(snapshot), bom=True)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rfm-{snapshot.as_of:%Y-%m-%d}.csv"'
    return response
