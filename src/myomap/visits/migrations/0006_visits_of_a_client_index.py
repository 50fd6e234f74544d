"""A client's visits newest first from an index: their record's list, and the client
list's visit counts and last visits for the page shown, read from the index alone."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('visits', '0005_note_knows_when_the_record_changed'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='visit',
            index=models.Index(fields=['client', '-started_at', '-id'], name='visits_of_client'),
        ),
    ]
