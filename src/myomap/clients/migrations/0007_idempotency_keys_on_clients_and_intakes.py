"""An API create may carry an Idempotency-Key: the client or intake keeps it (unique per
clinic, per client) with a digest of what was sent, so a retry finds the record it made."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0006_referred_urgent_flags_await_clearance'),
    ]

    operations = [
        migrations.AddField(
            model_name='client',
            name='create_digest',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='client',
            name='create_key',
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name='intake',
            name='create_digest',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='intake',
            name='create_key',
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddConstraint(
            model_name='client',
            constraint=models.UniqueConstraint(fields=('clinic', 'create_key'), name='one_client_per_create_key'),
        ),
        migrations.AddConstraint(
            model_name='intake',
            constraint=models.UniqueConstraint(fields=('client', 'create_key'), name='one_intake_per_create_key'),
        ),
    ]
