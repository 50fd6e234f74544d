"""The actions of API tokens (revoked, a day's first use) and of a refused access."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_delete_action"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "Viewed"),
                    ("create", "Created"),
                    ("update", "Changed"),
                    ("sign", "Signed"),
                    ("amend", "Amended"),
                    ("referral", "Recorded a referral"),
                    ("override", "Overrode a red flag"),
                    ("clearance", "Recorded medical clearance"),
                    ("block", "Safety gate blocked"),
                    ("export", "Exported"),
                    ("delete", "Deleted"),
                    ("revoke", "Revoked"),
                    ("use", "Used an API token"),
                    ("refused", "Refused access"),
                ],
                max_length=20,
            ),
        ),
    ]
