"""The customer value report: customers per value segment (RFM) and how they moved between
scoring runs.

- The run: the last scoring run published with an as-of date in the period, compared with
  the run it replaced (as the scoring page compares them).
- Customers per segment in both runs, and the change; a matrix of movements from each
  segment of the earlier run to each segment of the later one ("Not scored": a customer
  scored in one run only).
- Whose: a rep sees the customers they own, a manager their teams', an admin all. The
  whole base's figures are read from the totals each run keeps; narrower ones are counted
  from the runs' scores, which are kept for the recent runs only, and shared between
  requests until a customer is created, deleted or changes hands.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.counts import customer_rows
from contacts.models import Customer
from crm.accounts.roles import Role
from crm.insights.models import RfmScore, RfmSnapshot
from crm.insights.reports import records
from crm.insights.reports.base import NONE, Context, Records, Report, Result, UnknownFigure, split_key
from crm.insights.reports.tables import Chart, Column, Row, Table, ratio, series
from crm.insights.rfm.reports import name_of, segment_names

records.register_kind(
    "customers",
    related=["owner", "team"],
    order=["legal_name", "pk"],
    deferred=["search_text", "notes"],
)

UNSCORED = "unscored"  # the key of "not scored in that run"


def period_run(context: Context) -> RfmSnapshot | None:
    """The last run published with an as-of date in the period."""
    period = context.filters.period
    return (
        RfmSnapshot.objects.latest_first()
        .filter(as_of__gte=period.start, as_of__lte=period.end)
        .select_related("previous")
        .first()
    )


def narrowed(context: Context) -> bool:
    """Whether the figures are of fewer customers than the whole base."""
    filters = context.filters
    return not context.scope.everyone or bool(filters.rep or filters.team)


def scoped_customers(context: Context) -> QuerySet:
    """The viewer's customers (by owner and team), narrowed by rep and team as chosen."""
    filters = context.filters
    customers = context.scope.apply(Customer.objects.order_by(), owner="owner", team="team")
    if filters.rep:
        customers = customers.filter(owner=filters.rep)
    if filters.team:
        customers = customers.filter(team=filters.team)
    return customers


def _scoped_sql(context: Context) -> tuple[str, list]:
    """SQL of the viewer's customers' ids (column ``pk``), and its parameters."""
    return scoped_customers(context).values("pk").query.sql_with_params()


def _shared(context: Context, compute, *names) -> dict:
    """``compute()``, shared between requests (``crm.caching``) until a customer is created,
    deleted or changes hands: a run's scores never change, and ``names`` name the runs (and
    whether their scores are kept). The figures of a hundred thousand customers cost tens of
    milliseconds to count."""
    return customer_rows.remember(scoped_customers(context), compute, "value", *map(str, names))


def segment_counts(context: Context, snapshot: RfmSnapshot | None) -> dict[str, int]:
    """{segment: customers} of one run: its kept totals for the whole base, else counted.

    Narrowed, the viewer's customers are joined with the run's scores, both read from
    indexes alone (a customer's id, owner and team; a run's customers and their segments).
    """
    if snapshot is None:
        return {}
    if not narrowed(context):
        return dict(snapshot.segment_counts)
    scores = connection.ops.quote_name(RfmScore._meta.db_table)
    customers, params = _scoped_sql(context)

    def count() -> dict[str, int]:
        with connection.cursor() as cursor:
            # The table name and the compiled customers' query are formatted in; values are parameters.
            cursor.execute(
                f"""
                SELECT s.segment, COUNT(*)
                FROM ({customers}) c
                INNER JOIN {scores} s ON s.customer_id = c.pk AND s.snapshot_id = %s
                GROUP BY s.segment
                """,  # noqa: S608
                [*params, snapshot.pk],
            )
            return dict(cursor.fetchall())

    return _shared(context, count, "segments", snapshot.pk, snapshot.scores_pruned)


def movements(context: Context, run: RfmSnapshot) -> dict[tuple[str | None, str | None], int]:
    """{(segment before, segment after): customers}; None is "not scored in that run".

    Narrowed to the viewer's customers, each of them is joined with their score in either
    run, in one grouped query (as the scoring job compares the runs for the whole base).
    """
    previous = run.previous
    if previous is None:
        return {}
    if not narrowed(context):
        return {(before, after): customers for before, after, customers in run.movements}
    scores = connection.ops.quote_name(RfmScore._meta.db_table)
    customers, params = _scoped_sql(context)

    def count() -> dict[tuple[str | None, str | None], int]:
        with connection.cursor() as cursor:
            # Table names and the compiled customers' query are formatted in; values are parameters.
            cursor.execute(
                f"""
                SELECT p.segment, s.segment, COUNT(*)
                FROM ({customers}) c
                LEFT JOIN {scores} s ON s.customer_id = c.pk AND s.snapshot_id = %s
                LEFT JOIN {scores} p ON p.customer_id = c.pk AND p.snapshot_id = %s
                WHERE s.customer_id IS NOT NULL OR p.customer_id IS NOT NULL
                GROUP BY p.segment, s.segment
                """,  # noqa: S608
                [*params, run.pk, previous.pk],
            )
            return {(before, after): count for before, after, count in cursor.fetchall()}

    return _shared(
        context, count, "movements", run.pk, run.scores_pruned, previous.pk, previous.scores_pruned
    )


def counts_of(moved: dict) -> tuple[dict[str, int], dict[str, int]]:
    """Each run's customers per segment, added up from the movements between them."""
    now: dict[str, int] = defaultdict(int)
    before: dict[str, int] = defaultdict(int)
    for (was, is_now), customers in moved.items():
        if is_now is not None:
            now[is_now] += customers
        if was is not None:
            before[was] += customers
    return dict(now), dict(before)


def _code(key: str | None) -> str:
    return UNSCORED if key is None else (key or NONE)


def _segment(value: str) -> str | None:
    if value == UNSCORED:
        return None
    return "" if value == NONE else value


class ValueReport(Report):
    slug = "value"
    title = gettext_lazy("Customer value")
    description = gettext_lazy(
        "Customers per value segment (RFM) in the period's last scoring run, and how they moved "
        "since the run before it."
    )
    roles = (Role.SALES_REP, Role.MANAGER, Role.ADMIN)
    filters = ("rep", "team")
    default_period = "this_month"

    def build(self, context: Context) -> Result:
        run = period_run(context)
        names = segment_names()
        if run is None:
            empty = self._segment_table([], {}, {}, names, context, linked=False)
            return Result(tables=[empty], notes=[_("No scoring run was published in this period.")])
        previous = run.previous
        linked = not run.scores_pruned
        if narrowed(context) and run.scores_pruned:
            empty = self._segment_table([], {}, {}, names, context, linked=False)
            return Result(
                tables=[empty],
                notes=[_("The scores of this run are no longer kept: only the whole base's figures remain.")],
            )
        moved = movements(context, run) if previous else {}
        if narrowed(context) and previous:
            now, before = counts_of(moved)  # one pass over the scores instead of three
        else:
            now, before = segment_counts(context, run), segment_counts(context, previous)
        codes = self._codes(names, set(now) | set(before))
        notes = [self._note(run, previous)]
        segments = self._segment_table(codes, now, before, names, context, linked=linked)
        tables = [segments]
        if previous:
            tables.append(self._movement_table(codes, moved, names, context, linked=linked))
        labels = [name_of(code, names) for code in codes]
        chart = Chart(
            kind="bar",
            labels=labels,
            datasets=[series(self._run_label(run), [now.get(code, 0) for code in codes], key="now")],
            money=False,
            label=_("Customers per value segment"),
        )
        if previous:
            chart.datasets.insert(
                0, series(self._run_label(previous), [before.get(code, 0) for code in codes], key="before")
            )
        return Result(tables=tables, chart=chart, notes=notes)

    @staticmethod
    def _run_label(run: RfmSnapshot) -> str:
        return _("Run as of %(date)s") % {"date": date_format(run.as_of, "SHORT_DATE_FORMAT")}

    @staticmethod
    def _note(run: RfmSnapshot, previous: RfmSnapshot | None) -> str:
        values = {"date": date_format(run.as_of, "SHORT_DATE_FORMAT")}
        if previous is None:
            return _("Scoring run as of %(date)s, the first one: there is nothing to compare with.") % values
        values["previous"] = date_format(previous.as_of, "SHORT_DATE_FORMAT")
        return _("Scoring run as of %(date)s, compared with the run as of %(previous)s.") % values

    @staticmethod
    def _codes(names: dict[str, str], found: set[str]) -> list[str]:
        """Every rule's segment in the rules' order, then codes no rule has any more, then none."""
        extra = sorted(code for code in found if code and code not in names)
        return [*names, *extra, *([""] if "" in found else [])]

    def _segment_table(self, codes, now, before, names, context, *, linked: bool) -> Table:
        table = Table(
            key="segments",
            title=_("Customers per segment"),
            label=_("Segment"),
            columns=[
                Column("customers", _("Customers")),
                Column("share", _("Share"), "percent"),
                Column("before", _("Run before")),
                Column("change", _("Change")),
            ],
            empty_text=_("No customer was scored in this run."),
        )
        total_now, total_before = sum(now.values()), sum(before.values())
        links = context.links

        def linker(key: str, values: dict):
            def link(column: str) -> str:
                if not linked:
                    return ""
                if column in ("customers", "share") and values["customers"]:
                    return links("customers", key)
                if column == "before" and values["before"]:
                    return links("before", key)
                return ""

            return link

        for code in codes:
            values = self._segment_values(now.get(code, 0), before.get(code, 0), total_now)
            link = linker(f"segment:{_code(code)}", values)
            table.rows.append(Row(name_of(code, names), table.cells_for(values, link)))
        if codes:
            values = self._segment_values(total_now, total_before, total_now)
            table.total = Row(_("Total"), table.cells_for(values, linker("", values)))
        return table

    @staticmethod
    def _segment_values(customers: int, before: int, total: int) -> dict:
        return {
            "customers": customers,
            "share": ratio(customers, total),
            "before": before,
            "change": customers - before,
        }

    def _movement_table(self, codes, moved, names, context, *, linked: bool) -> Table:
        after_codes = [*codes, None]
        table = Table(
            key="movements",
            title=_("Movements between the runs"),
            label=_("From \\ to"),
            columns=[
                *(Column(f"to:{_code(code)}", name_of(code, names)) for code in after_codes),
                Column("total", _("Total")),
            ],
            note=_("Each row is a segment of the run before; each column a segment of this run."),
        )
        links = context.links
        for before in [None, *codes]:
            row = {f"to:{_code(after)}": moved.get((before, after), 0) for after in after_codes}
            row["total"] = sum(row.values())
            if before is None and not row["total"]:
                continue

            def link(column: str, before=before, row=row) -> str:
                if not linked or column == "total" or not row[column]:
                    return ""
                return links("move", f"move:{_code(before)}~{column.removeprefix('to:')}")

            table.rows.append(Row(name_of(before, names), table.cells_for(row, link)))
        totals = defaultdict(int)
        for (_before, after), customers in moved.items():
            totals[f"to:{_code(after)}"] += customers
        totals["total"] = sum(moved.values())
        table.total = Row(_("Total"), table.cells_for(totals, lambda column: ""))
        return table

    # --- drill-down ---------------------------------------------------------------------

    @staticmethod
    def _scored(snapshot: RfmSnapshot | None, segment: str | None = None) -> Q:
        scores = RfmScore.objects.order_by().filter(snapshot=snapshot)
        if segment is not None:
            scores = scores.filter(segment=segment)
        return Q(pk__in=scores.values("customer_id"))

    def records(self, context: Context, measure: str, key: str) -> Records:
        run = period_run(context)
        if measure not in ("customers", "before", "move"):
            raise UnknownFigure(measure)
        snapshot = run.previous if run and measure == "before" else run
        if snapshot is None:
            return Records("customers", Customer.objects.none(), _("Customers"))
        customers = scoped_customers(context)
        kind, value = split_key(key)
        if measure == "move" and kind == "move":
            before, _sep, after = value.partition("~")
            before, after = _segment(before), _segment(after)
            if run.previous is None:
                return Records("customers", Customer.objects.none(), _("Customers"))
            was = self._scored(run.previous, before) if before is not None else ~self._scored(run.previous)
            now = self._scored(run, after) if after is not None else ~self._scored(run)
            found = customers.filter(was, now)
            return Records(
                "customers",
                found,
                _("Customers who moved"),
                scope=[f"{name_of(before, segment_names())} → {name_of(after, segment_names())}"],
            )
        if kind == "segment" and measure != "move":
            segment = _segment(value)
            if segment is None:
                raise UnknownFigure(key)
            return Records(
                "customers",
                customers.filter(self._scored(snapshot, segment)),
                self._run_label(snapshot),
                scope=[name_of(segment, segment_names())],
            )
        if not kind and measure != "move":
            return Records("customers", customers.filter(self._scored(snapshot)), self._run_label(snapshot))
        raise UnknownFigure(key)
