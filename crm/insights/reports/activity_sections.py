"""The activity report's other tables: call outcomes, rejections by reason, proposals per
opportunity and telemarketing rates. Outcomes and calls come from the report's pass over the
activities; the others are one grouped query each."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from contacts.models import Activity
from crm.insights.reports.activity_queries import (
    converted_lead,
    disqualified,
    is_reached,
    lead_calls,
    lost,
    not_reached_outcomes,
    sent_quotes,
    telemarketers,
)
from crm.insights.reports.base import Context, by_label, ref
from crm.insights.reports.tables import ZERO, Column, Row, Table, money, ratio

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
        .annotate(count=Count("*"))
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
    per_opportunity = (
        sent_quotes(context)
        .values("opportunity_id", name=F("opportunity__name"))
        .annotate(sent=Count("pk"), revisions=Count("pk", filter=revision))
    )
    inner, params = per_opportunity.query.sql_with_params()
    # The busiest opportunities, names in code point order (as Python orders strings), and
    # the totals over every opportunity, in one query: only the rows shown leave the database.
    collation = '"C"' if connection.vendor == "postgresql" else "BINARY"
    with connection.cursor() as cursor:
        # Fixed fragments and an integer only; the values are the inner query's parameters.
        cursor.execute(
            "SELECT opportunity_id, name, sent, revisions, COUNT(*) OVER (), SUM(sent) OVER (), "  # noqa: S608
            f"SUM(revisions) OVER () FROM ({inner}) per "
            f"ORDER BY sent DESC, revisions DESC, name COLLATE {collation}, opportunity_id "
            f"LIMIT {PROPOSALS_SHOWN}",
            params,
        )
        rows = cursor.fetchall()
    first = rows[0] if rows else (None, None, 0, 0, 0, 0, 0)
    totals = {"opportunities": first[4], "sent": int(first[5]), "revisions": int(first[6])}
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
    for opportunity_id, name, sent, revisions, *_totals in rows:
        key = f"opportunity:{opportunity_id}"
        values = {"sent": sent, "revisions": revisions}
        table.rows.append(
            Row(
                name,
                table.cells_for(
                    values, lambda column, k=key, v=values: links(column, k) if v[column] else ""
                ),
            )
        )
    values = {"sent": totals["sent"], "revisions": totals["revisions"]}
    label = _("All %(count)s opportunities") % {"count": totals["opportunities"]}
    table.total = Row(label, table.cells_for(values, lambda column: links(column) if values[column] else ""))
    return table


def telemarketing_table(activities: QuerySet, calls: dict, people: dict, links) -> Table:
    """Per telemarketer: calls and reached from the report's pass (``calls``: each person's
    calls per outcome), the leads called and converted from their calls about leads."""
    not_reached = frozenset(not_reached_outcomes())
    figures = {
        user_id: {
            "calls": sum(calls[user_id].values()),
            "reached": sum(
                count for outcome, count in calls[user_id].items() if is_reached(outcome, not_reached)
            ),
            "leads": 0,
            "converted_leads": 0,
        }
        for user_id in telemarketers(calls)
    }
    if figures:
        about_leads = lead_calls(activities.filter(kind=Activity.Kind.CALL, user_id__in=list(figures)))
        for row in about_leads.values("user_id").annotate(
            leads=Count("related_id", distinct=True),
            converted_leads=Count("related_id", distinct=True, filter=converted_lead()),
        ):
            figures[row["user_id"]].update(leads=row["leads"], converted_leads=row["converted_leads"])
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
