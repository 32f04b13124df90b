from django.db import migrations

RELATIONSHIP_TYPES = [
    ("prospect", "Prospect"),
    ("customer", "Customer"),
    ("supplier", "Supplier"),
    ("competitor", "Competitor"),
    ("employee", "Employee"),
    ("guarantor", "Guarantor"),
    ("beneficiary", "Beneficiary"),
]


def create_relationship_types(apps, schema_editor):
    RelationshipType = apps.get_model("contacts", "RelationshipType")
    for code, name in RELATIONSHIP_TYPES:
        RelationshipType.objects.get_or_create(code=code, defaults={"name": name})


def create_search_index(apps, schema_editor):
    # A trigram index makes "LIKE '%term%'" fast on PostgreSQL; SQLite scans instead.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS customer_search_trgm ON contacts_customer "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customer_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]
    operations = [
        migrations.RunPython(create_relationship_types, migrations.RunPython.noop),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
