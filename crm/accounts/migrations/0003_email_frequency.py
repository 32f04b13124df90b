from django.db import migrations, models


def keep_email_off(apps, schema_editor):
    """Whoever had turned email off keeps it off."""
    User = apps.get_model("accounts", "User")
    User.objects.filter(email_notifications=False).update(email_frequency="never")


def back_to_boolean(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(email_frequency="never").update(email_notifications=False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_frequency",
            field=models.CharField(
                choices=[
                    ("instant", "At once, one email each"),
                    ("daily", "Once a day, in one digest"),
                    ("never", "Never (in the CRM only)"),
                ],
                default="instant",
                max_length=10,
                verbose_name="email me my notifications",
            ),
        ),
        migrations.RunPython(keep_email_off, back_to_boolean),
        migrations.RemoveField(model_name="user", name="email_notifications"),
    ]
