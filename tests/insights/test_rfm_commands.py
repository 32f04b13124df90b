"""manage.py rfm_score and rfm_export, and the nightly task, run for real."""

from __future__ import annotations

import csv
import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from crm.insights.models import RfmScore, RfmSettings, RfmSnapshot
from crm.insights.tasks import score_customers_task
from tests.insights.rfm_data import AS_OF, EXPECTED, build_data_set


@pytest.fixture
def data_set(db):
    return build_data_set()


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_rfm_score_scores_as_of_a_date(data_set):
    output = run("rfm_score", "--as-of", "2026-06-30")

    snapshot = RfmSnapshot.objects.get()
    assert snapshot.as_of == AS_OF
    assert snapshot.trigger == RfmSnapshot.Trigger.COMMAND
    assert "as of 2026-06-30 (all history): 10 customers, 21 orders" in output


def test_rfm_score_with_a_window(data_set):
    output = run("rfm_score", "--as-of", "2026-06-30", "--window-months", "3")

    assert "(last 3 months): 7 customers" in output
    assert RfmSnapshot.objects.get().window_start == date(2026, 3, 30)


def test_rfm_score_defaults_to_today_and_the_settings_window(data_set, time_machine):
    time_machine.move_to("2026-06-30 12:00 -05:00")
    RfmSettings.objects.filter(pk=1).update(window_months=3)

    run("rfm_score")

    snapshot = RfmSnapshot.objects.get()
    assert (snapshot.as_of, snapshot.window_months) == (AS_OF, 3)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "30/06/2026"], "--as-of must be a date as YYYY-MM-DD"),
        (["--as-of", "2026-02-30"], "--as-of must be a date as YYYY-MM-DD"),
        (["--window-months", "-1"], "--window-months must be between 0"),
    ],
)
def test_rfm_score_refuses_bad_input_clearly(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("rfm_score", *args)
    assert not RfmSnapshot.objects.exists()


def test_rfm_export_writes_the_latest_snapshot(data_set, tmp_path):
    run("rfm_score", "--as-of", "2026-06-30", "--window-months", "3")
    run("rfm_score", "--as-of", "2026-06-30")
    path = tmp_path / "rfm.csv"

    output = run("rfm_export", "--out", str(path))

    assert f"10 customers as of 2026-06-30 written to {path}" in output
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == [
        "customer_ref",
        "recency_days",
        "frequency",
        "monetary",
        "r_score",
        "f_score",
        "m_score",
        "value_score",
        "segment",
    ]
    names = {str(customer.pk): name for name, customer in data_set.items()}
    exported = {names[ref]: tuple(values) for ref, *values in rows[1:]}
    assert exported == {
        name: (str(recency), str(frequency), monetary, str(r), str(f), str(m), value, segment)
        for name, (recency, frequency, monetary, r, f, m, value, segment) in EXPECTED.items()
    }


def test_rfm_export_uses_the_external_reference_where_set(data_set, tmp_path):
    data_set["meta"].external_ref = "=ERP-1"
    data_set["meta"].save()
    run("rfm_score", "--as-of", "2026-06-30")
    path = tmp_path / "rfm.csv"

    run("rfm_export", "--out", str(path))

    refs = [line.split(",")[0] for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    # A spreadsheet would run "=..." as a formula: it is written as text.
    assert "'=ERP-1" in refs
    assert str(data_set["meta"].pk) not in refs


def test_rfm_export_before_any_scoring_says_what_to_do(db, tmp_path):
    with pytest.raises(CommandError, match=r"No scores yet: run `manage\.py rfm_score` first"):
        call_command("rfm_export", "--out", str(tmp_path / "rfm.csv"))
    assert not (tmp_path / "rfm.csv").exists()


def test_rfm_export_into_a_missing_folder_says_so(data_set, tmp_path):
    run("rfm_score", "--as-of", "2026-06-30")

    with pytest.raises(CommandError, match="No such folder"):
        call_command("rfm_export", "--out", str(tmp_path / "missing" / "rfm.csv"))


def test_the_nightly_task_scores_publishes_and_prunes(data_set):
    RfmSettings.objects.filter(pk=1).update(keep_snapshots=2)

    ids = [score_customers_task.delay(as_of="2026-06-30").get() for _run in range(3)]

    snapshots = RfmSnapshot.objects.filter(pk__in=ids)
    assert all(snapshot.is_complete for snapshot in snapshots)
    assert all(snapshot.trigger == RfmSnapshot.Trigger.SCHEDULE for snapshot in snapshots)
    assert RfmSnapshot.objects.latest_first().first().pk == ids[-1]
    assert set(RfmScore.objects.values_list("snapshot", flat=True).distinct()) == set(ids[1:])


def test_the_nightly_schedule_is_seeded(db):
    call_command("setup_periodic_tasks", stdout=StringIO())

    job = PeriodicTask.objects.get(task="crm.insights.tasks.score_customers_task")
    assert json.loads(job.kwargs) == {}
    assert (job.crontab.hour, job.crontab.minute) == ("2", "15")
