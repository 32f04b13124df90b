"""The unique index of a run's scores also carries the segment, on PostgreSQL.

The value report and card count a viewer's customers per segment of a run: with the segment
in the index they read it alone, never the score rows (a hundred thousand per run). SQLite
keeps the plain unique index: Django's constraints there cannot carry extra columns. The
model's constraint is the same either way, so that nothing else changes.
"""

from django.db import migrations

TABLE = "insights_rfmscore"
NAME = "rfm_score_once_per_snapshot"


def _recreate(schema_editor, include: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {NAME}")
    schema_editor.execute(
        f"ALTER TABLE {TABLE} ADD CONSTRAINT {NAME} UNIQUE (snapshot_id, customer_id){include}"
    )


def with_segment(apps, schema_editor):
    _recreate(schema_editor, " INCLUDE (segment)")


def without_segment(apps, schema_editor):
    _recreate(schema_editor, "")


class Migration(migrations.Migration):
    dependencies = [("insights", "0005_dashboard_layout")]
    operations = [migrations.RunPython(with_segment, without_segment)]
