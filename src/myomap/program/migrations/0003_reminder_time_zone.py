from typing import Any

from django.db import migrations, models


def clinics_zone(apps: Any, schema_editor: Any) -> None:
    """A reminder set before this field existed keeps the clinic's clock."""
    Reminder = apps.get_model("program", "Reminder")
    for reminder in Reminder.objects.select_related("client__clinic"):
        reminder.time_zone = reminder.client.clinic.time_zone
        reminder.save(update_fields=["time_zone"])


class Migration(migrations.Migration):
    dependencies = [
        ("program", "0002_program_reminders"),
        ("accounts", "0005_clinic_time_zone"),
    ]

    operations = [
        migrations.AddField(
            model_name="reminder",
            name="time_zone",
            field=models.CharField(default="UTC", max_length=64),
        ),
        migrations.RunPython(clinics_zone, migrations.RunPython.noop),
    ]
