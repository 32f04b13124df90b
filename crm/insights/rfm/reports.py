"""What the pages show of the scores: the current snapshot, its segments and movements, one customer."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from crm.insights.models import RfmScore, RfmSnapshot, SegmentRule


def current_snapshot() -> RfmSnapshot | None:
    """The last snapshot published: what the customers' value fields show."""
    return RfmSnapshot.objects.latest_first().select_related("requested_by").first()


def segment_names() -> dict[str, str]:
    """Segment code -> name, in the rules' order."""
    return dict(SegmentRule.objects.choices())


def name_of(code: str | None, names: dict[str, str]) -> str:
    if code is None:
        return _("Not scored")
    if code == "":
        return _("No segment")
    return names.get(code, code)


@dataclass
class SegmentCount:
    code: str
    name: str
    customers: int
    share: float  # percent of the customers scored
    rule: SegmentRule | None = None


def segment_counts(snapshot: RfmSnapshot, rules: list[SegmentRule]) -> list[SegmentCount]:
    """Every rule's segment with its customers in ``snapshot`` (read from the snapshot's totals)."""
    counts = dict(snapshot.segment_counts)
    total = snapshot.customers_scored or 1
    rows = [
        SegmentCount(rule.slug, rule.display_label, counts.pop(rule.slug, 0), 0.0, rule) for rule in rules
    ]
    # Codes of rules deleted or renamed since, and customers no rule matched.
    names = {rule.slug: rule.display_label for rule in rules}
    rows += [SegmentCount(code, name_of(code, names), customers, 0.0) for code, customers in counts.items()]
    for row in rows:
        row.share = 100 * row.customers / total
    return rows


@dataclass
class Movement:
    before: str
    after: str
    customers: int
    stayed: bool


def movements(snapshot: RfmSnapshot, names: dict[str, str]) -> list[Movement]:
    """Customers per (previous segment, segment) pair, biggest moves first, those who stayed last."""
    rows = [
        Movement(name_of(before, names), name_of(after, names), customers, before == after)
        for before, after, customers in snapshot.movements
    ]
    return sorted(rows, key=lambda row: (row.stayed, -row.customers))


@dataclass
class CustomerScores:
    snapshot: RfmSnapshot | None
    score: RfmScore | None = None
    previous: RfmScore | None = None
    segment_name: str = ""
    previous_segment_name: str = ""
    names: dict[str, str] = field(default_factory=dict)

    @property
    def moved(self) -> bool:
        return (
            self.previous is not None
            and self.score is not None
            and self.previous.segment != self.score.segment
        )


def scores_of(customer_id: int) -> CustomerScores:
    """The customer's scores in the current snapshot and the one before it (three queries)."""
    snapshot = current_snapshot()
    if snapshot is None:
        return CustomerScores(snapshot=None)
    wanted = [snapshot.pk] + ([snapshot.previous_id] if snapshot.previous_id else [])
    rows = {
        row.snapshot_id: row for row in RfmScore.objects.filter(customer_id=customer_id, snapshot__in=wanted)
    }
    names = segment_names()
    score, previous = rows.get(snapshot.pk), rows.get(snapshot.previous_id)
    return CustomerScores(
        snapshot=snapshot,
        score=score,
        previous=previous,
        segment_name=name_of(score.segment, names) if score else "",
        previous_segment_name=name_of(previous.segment, names) if previous else "",
        names=names,
    )
