from django.db import migrations, models

# Each change's ``left_at``: the deal's next change's ``changed_at`` (in the order of
# ``changed_at``, then id), empty for its latest one.
POSTGRESQL = """
UPDATE sales_stagechange AS change SET left_at = following.left_at
FROM (
    SELECT id, LEAD(changed_at) OVER (PARTITION BY opportunity_id ORDER BY changed_at, id) AS left_at
    FROM sales_stagechange
) AS following
WHERE change.id = following.id AND following.left_at IS NOT NULL
"""
OTHERS = """
UPDATE sales_stagechange SET left_at = (
    SELECT later.changed_at FROM sales_stagechange AS later
    WHERE later.opportunity_id = sales_stagechange.opportunity_id
      AND (later.changed_at > sales_stagechange.changed_at
           OR (later.changed_at = sales_stagechange.changed_at AND later.id > sales_stagechange.id))
    ORDER BY later.changed_at, later.id
    LIMIT 1
)
"""


def backfill(apps, schema_editor):
    sql = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else OTHERS
    schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0008_stagechange_history_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="stagechange",
            name="left_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="left"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="stagechange",
            index=models.Index(
                fields=["left_at"],
                include=("to_stage", "changed_at", "opportunity"),
                name="stagechange_left_idx",
            ),
        ),
    ]
