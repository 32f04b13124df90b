"""The activity report's other tables: call outcomes, rejections by reason, proposals per
opportunity and telemarketing rates; each one grouped query, plus names."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from crm.insights.reports.activity_queries import (
    converted_lead,
    disqualified,
    lost,
    reached,
    sent_quotes,
    telemarketing_calls,
)
from crm.insights.reports.base import Context, by_label, person_names, ref
from crm.insights.reports.tables import ZERO, Column, Row, Table, money, ratio
from leads.models import Lead

PROPOSALS_SHOWN = 50


def outcomes_table(outcomes: dict[str, int], links) -> Table:
    """Calls per outcome as logged, the most frequent first."""
    rows = [
        {"outcome": outcome, "count": count}
        for outcome, count in sorted(outcomes.items(), key=lambda item: (-item[1], item[0]))
    ]
    total = sum(row["count"] for row in rows)
    table = Table(
        key="outcomes",
        title=_("Calls by outcome"),
        label=_("Outcome"),
        columns=[Column("calls", _("Calls")), Column("share", _("Share"), "percent")],
        empty_text=_("No calls in this period."),
    )
    for row in rows:
        key = f"outcome:{row['outcome']}"
        values = {"calls": row["count"], "share": ratio(row["count"], total)}
        table.rows.append(
            Row(
                row["outcome"] or _("No outcome logged"),
                table.cells_for(values, lambda _c, k=key: links("call", k)),
            )
        )
    table.total = Row(
        _("Total"),
        table.cells_for(
            {"calls": total, "share": ratio(total, total)}, lambda _c: links("call") if total else ""
        ),
    )
    return table


def lost_table(context: Context, links) -> Table:
    # The reason's name comes with its group: one query, not one more for the names.
    rows = list(
        lost(context)
        .values("lost_reason_id", "lost_reason__name")
        .annotate(count=Count("pk"), total=Sum("amount"))
    )
    names = {None: _("No reason given")}
    names.update(
        (row["lost_reason_id"], gettext(row["lost_reason__name"])) for row in rows if row["lost_reason_id"]
    )
    table = Table(
        key="lost",
        title=_("Lost deals by reason"),
        label=_("Reason"),
        columns=[Column("deals", _("Lost deals")), Column("amount", _("Amount"), "money")],
        empty_text=_("No deals were lost in this period."),
    )
    figures = {row["lost_reason_id"]: (row["count"], money(row["total"])) for row in rows}
    for reason_id in by_label(figures, names):
        count, amount = figures[reason_id]
        key = f"reason:{ref(reason_id)}"
        table.rows.append(
            Row(
                names[reason_id],
                table.cells_for({"deals": count, "amount": amount}, lambda _c, k=key: links("lost", k)),
            )
        )
    count = sum(value[0] for value in figures.values())
    amount = sum((value[1] for value in figures.values()), ZERO)
    table.total = Row(
        _("Total"),
        table.cells_for({"deals": count, "amount": amount}, lambda _c: links("lost") if count else ""),
    )
    return table


def disqualified_table(context: Context, links) -> Table:
    rows = list(
        disqualified(context)
        .values("disqualification_reason_id", "disqualification_reason__name")
        .annotate(count=Count("pk"))
    )
    figures = {row["disqualification_reason_id"]: row["count"] for row in rows}
    names = {None: _("No reason given")}
    names.update(
        (row["disqualification_reason_id"], gettext(row["disqualification_reason__name"]))
        for row in rows
        if row["disqualification_reason_id"]
    )
    table = Table(
        key="disqualified",
        title=_("Disqualified leads by reason"),
        label=_("Reason"),
        columns=[Column("leads", _("Leads"))],
        empty_text=_("No leads were disqualified in this period."),
    )
    for reason_id in by_label(figures, names):
        key = f"reason:{ref(reason_id)}"
        table.rows.append(
            Row(
                names[reason_id],
                table.cells_for({"leads": figures[reason_id]}, lambda _c, k=key: links("disqualified", k)),
            )
        )
    count = sum(figures.values())
    table.total = Row(
        _("Total"), table.cells_for({"leads": count}, lambda _c: links("disqualified") if count else "")
    )
    return table


def proposals_table(context: Context, links) -> Table:
    revision = Q(revision_of__isnull=False)
    # Every opportunity's counts in one query (a few hundred rows at most a month); the
    # totals are their sums and the page shows the busiest.
    rows = sorted(
        sent_quotes(context)
        .values("opportunity_id", "opportunity__name")
        .annotate(sent=Count("pk"), revisions=Count("pk", filter=revision)),
        key=lambda row: (-row["sent"], -row["revisions"], row["opportunity__name"], row["opportunity_id"]),
    )
    totals = {
        "opportunities": len(rows),
        "sent": sum(row["sent"] for row in rows),
        "revisions": sum(row["revisions"] for row in rows),
    }
    table = Table(
        key="proposals",
        title=_("Proposals sent per opportunity"),
        label=_("Opportunity"),
        columns=[Column("sent", _("Proposals sent")), Column("revisions", _("Of which revisions"))],
        empty_text=_("No proposals were sent in this period."),
    )
    if totals["opportunities"] > PROPOSALS_SHOWN:
        table.note = _("The %(shown)s opportunities with the most proposals of %(count)s.") % {
            "shown": PROPOSALS_SHOWN,
            "count": totals["opportunities"],
        }
    for row in rows[:PROPOSALS_SHOWN]:
        key = f"opportunity:{row['opportunity_id']}"
        values = {"sent": row["sent"], "revisions": row["revisions"]}
        table.rows.append(
            Row(
                row["opportunity__name"],
                table.cells_for(
                    values, lambda column, k=key, v=values: links(column, k) if v[column] else ""
                ),
            )
        )
    values = {"sent": totals["sent"], "revisions": totals["revisions"]}
    label = _("All %(count)s opportunities") % {"count": totals["opportunities"]}
    table.total = Row(label, table.cells_for(values, lambda column: links(column) if values[column] else ""))
    return table


def telemarketing_table(context: Context, links) -> Table:
    calls = telemarketing_calls(context)
    lead_type = ContentType.objects.get_for_model(Lead)
    on_lead = Q(related_type=lead_type)
    rows = list(
        calls.annotate(converted=converted_lead())
        .values("user_id")
        .annotate(
            calls=Count("pk"),
            reached=Count("pk", filter=reached()),
            leads=Count("related_id", distinct=True, filter=on_lead),
            converted_leads=Count("related_id", distinct=True, filter=on_lead & Q(converted=True)),
        )
    )
    table = Table(
        key="telemarketing",
        title=_("Telemarketing"),
        label=_("Telemarketer"),
        columns=[
            Column("calls", _("Calls")),
            Column("reached", _("Reached")),
            Column("contact_rate", _("Contact rate"), "percent"),
            Column("leads", _("Leads called")),
            Column("converted", _("Qualified or converted")),
            Column("conversion_rate", _("Conversion rate"), "percent"),
        ],
        empty_text=_("Telemarketers made no calls in this period."),
    )
    figures = {row["user_id"]: row for row in rows}
    people = person_names(figures)
    total = {"calls": 0, "reached": 0, "leads": 0, "converted_leads": 0}
    for user_id in by_label(figures, {key: str(person) for key, person in people.items()}):
        row = figures[user_id]
        table.rows.append(_telemarketer_row(table, str(people[user_id]), f"rep:{ref(user_id)}", row, links))
        for name in total:
            total[name] += row[name]
    table.total = _telemarketer_row(table, _("Total"), "", total, links)
    return table


def _telemarketer_row(table: Table, label: str, key: str, row: dict, links) -> Row:
    values = {
        "calls": row["calls"],
        "reached": row["reached"],
        "contact_rate": ratio(row["reached"], row["calls"]),
        "leads": row["leads"],
        "converted": row["converted_leads"],
        "conversion_rate": ratio(row["converted_leads"], row["leads"]),
    }
    measures = {
        "calls": "tm_calls",
        "reached": "tm_reached",
        "contact_rate": "tm_reached",
        "leads": "tm_leads",
        "converted": "tm_converted",
        "conversion_rate": "tm_converted",
    }

    def link(column: str) -> str:
        return links(measures[column], key) if row["calls"] else ""

    return Row(label, table.cells_for(values, link))
